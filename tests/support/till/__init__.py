"""Till: a POS provider the tests define for themselves, with its own emulator."""

from tests.support.till.emulator import ServedTill, served_till
from tests.support.till.pos import PROVIDER
from tests.support.till.state import TillState

__all__ = ["PROVIDER", "ServedTill", "TillState", "served_till"]
