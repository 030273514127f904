"""Emulators of every provider, speaking their real APIs on loopback."""

from collections.abc import Callable
from typing import Any

from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator
from tillsync.emulators.crm import CrmState, create_crm_emulator


def _cin7() -> Any:
    return create_cin7_emulator(Cin7State())


def _crm() -> Any:
    return create_crm_emulator(CrmState())


EMULATORS: dict[str, Callable[[], Any]] = {"cin7": _cin7, "crm": _crm}
"""A fresh emulator app per provider name, for `tillsync emulator NAME`."""
