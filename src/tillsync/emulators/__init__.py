"""Emulators of every provider, speaking their real APIs on loopback."""

from collections.abc import Callable
from typing import Any

from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator


def _cin7() -> Any:
    return create_cin7_emulator(Cin7State())


EMULATORS: dict[str, Callable[[], Any]] = {"cin7": _cin7}
"""A fresh emulator app per provider name, for `tillsync emulator NAME`."""
