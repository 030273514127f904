"""Tally: the tests' own OAuth provider (a CRM) and its authorization server emulator."""

from tests.support.tally.provider import PROVIDER
from tests.support.tally.server import CLIENT_ID, CLIENT_SECRET, TallyState, create_tally_server

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "PROVIDER", "TallyState", "create_tally_server"]
