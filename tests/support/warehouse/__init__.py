"""Each stock source's world behind one interface: a hub whose tenant takes its stock from
that provider's emulator.

The warehouse scenario table (`tests/integration/warehouse/`) runs the same tests against
every world in `WORLDS`; a new warehouse adds its world module and one entry there.
"""

from tests.support.warehouse.cin7 import cin7_warehouse_world
from tests.support.warehouse.depot import depot_warehouse_world
from tests.support.warehouse.poster import poster_warehouse_world
from tests.support.warehouse.square import square_warehouse_world
from tests.support.warehouse.world import Fault, OpenWorld, WarehouseWorld
from tests.support.warehouse.zoho import zoho_warehouse_world

WORLDS: dict[str, OpenWorld] = {
    "cin7": cin7_warehouse_world,
    "depot": depot_warehouse_world,
    "poster": poster_warehouse_world,
    "square": square_warehouse_world,
    "zoho": zoho_warehouse_world,
}

__all__ = ["WORLDS", "Fault", "WarehouseWorld"]
