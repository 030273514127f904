"""Each POS provider's world behind one interface: a hub connected to its emulator.

The POS scenario table (`tests/integration/pos/`) runs the same order tests against every
world in `WORLDS`; a new POS provider adds its world module and one entry there.
"""

from tests.support.pos.dine import dine_world
from tests.support.pos.square import square_pos_world
from tests.support.pos.world import Fault, MadeLine, MadeOrder, OpenWorld, PosWorld
from tests.support.pos.zoho import zoho_pos_world

WORLDS: dict[str, OpenWorld] = {
    "square": square_pos_world,
    "dine": dine_world,
    "zoho": zoho_pos_world,
}

__all__ = ["WORLDS", "Fault", "MadeLine", "MadeOrder", "PosWorld"]
