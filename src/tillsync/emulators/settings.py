"""Changing a running emulator's settings: several at once, checked together, all or nothing.

A provider's `Settings` dataclass takes `update` and `as_dict` from `EmulatorSettings` and
writes its own `validate`, with the `check_*` functions for the common rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
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


class EmulatorSettings:
    """What every emulator's `Settings` dataclass does beside its own `validate`."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def validate(self) -> None:
        raise NotImplementedError

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply several settings at once, all or nothing."""
        apply_changes(self, changes)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def check_limits(settings: object, names: Iterable[str]) -> None:
    """Each of `names` is a count of at least 1, or None (no limit)."""
    for name in names:
        value = getattr(settings, name)
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, or null to disable")


def check_positive(settings: object, names: Iterable[str]) -> None:
    for name in names:
        if getattr(settings, name) <= 0:
            raise ValueError(f"{name} must be positive")


def check_not_negative(settings: object, names: Iterable[str]) -> None:
    for name in names:
        if getattr(settings, name) < 0:
            raise ValueError(f"{name} must not be negative")
