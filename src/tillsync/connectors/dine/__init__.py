"""Dine: a POS reached with an API key, to a contract tillsync assumes (see `provider`)."""
