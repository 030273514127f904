"""tillsync: keeps POS and ordering apps in agreement with the systems around them."""

__version__ = "0.1.0"
