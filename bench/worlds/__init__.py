"""The providers the benches run against, each one's emulator wiring in one place.

`WAREHOUSES` (a full sync, the stock lag) and `POS` (order latency): what differs between
providers is data here; the benches themselves stay the same.
"""

from worlds.pos import POS, PosWorld
from worlds.warehouses import WAREHOUSES, Account, Warehouse

__all__ = ["POS", "WAREHOUSES", "Account", "PosWorld", "Warehouse"]
