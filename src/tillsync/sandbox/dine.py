"""The sandbox's Dine: an emulated restaurant with its menu and API key, not connected.

No demo business is connected to Dine: the barbershop's online orders already go to
Square, and a business with two POS connections has every order pushed to both. A user
connects a business of their own with the key from `sandbox.json`
(`POST /api/v1/pos/connect` with `"provider": "dine"` and `"api_key"`); the sandbox's hub
has the emulator's address as Dine's provider URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tillsync.emulators.dine import DineState, Restaurant

API = "/v1"


@dataclass(frozen=True)
class DineDemo:
    state: DineState
    restaurant: Restaurant
    url: str = ""
    """The API base a Dine client would use (the emulator's address and `/v1`)."""

    def manifest(self) -> dict[str, Any]:
        return {"url": self.url, "api_key": self.restaurant.api_key}


def dine_demo(*, name: str) -> DineDemo:
    state = DineState()
    return DineDemo(state, state.create_restaurant(name=name))
