"""A demo business as its day is told: its name, its till, where its sales and orders go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class StockSource(Protocol):
    """Where a business's sales are pushed, read back as its staff see them there."""

    @property
    def provider(self) -> str:
        """The provider, as the hub's jobs name it."""

    @property
    def title(self) -> str:
        """How the day's lines name it ("CIN7")."""

    @property
    def noun(self) -> str:
        """What a pushed sale becomes there ("CIN7 sale")."""

    async def details(self, external_id: str) -> str | None:
        """Its number and status there, or None if they cannot be read now."""


S = TypeVar("S", bound=StockSource)


@dataclass(frozen=True)
class Shop(Generic[S]):
    """A demo business as its day is told: its name, the label of its till's lines, where
    its sales are pushed, and the POS its online orders go to."""

    name: str
    till: str
    stock: S
    orders_to: str
