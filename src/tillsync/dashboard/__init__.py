"""The dashboard: server-rendered pages for a shop's operator, signed in with the tenant's key."""

from tillsync.dashboard.app import install

__all__ = ["install"]
