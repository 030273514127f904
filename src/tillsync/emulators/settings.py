"""Changing a running emulator's settings: several at once, checked together, all or nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, TypeVar


class Checked(Protocol):
    """A settings dataclass that can say whether its values hang together."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def validate(self) -> None: ...


class Adjustable(Checked, Protocol):
    """Settings a running emulator changes through its control surface."""

    def update(self, changes: Mapping[str, Any]) -> None: ...


S = TypeVar("S", bound=Checked)


def apply_changes(settings: S, changes: Mapping[str, Any]) -> None:
    """Set `changes` on `settings` if every name is known and the result validates.

    Raises `ValueError` (unknown name, bad value) or `TypeError` and leaves `settings` as it was.
    """
    known = {f.name for f in dataclasses.fields(settings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
    candidate = dataclasses.replace(settings, **changes)
    candidate.validate()
    for name in changes:
        setattr(settings, name, getattr(candidate, name))
