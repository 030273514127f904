"""Emulators of every provider, speaking their real APIs on loopback."""
