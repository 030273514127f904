"""Emulators of every provider, speaking their real APIs on loopback.

Each provider's package (`emulators/<name>/`) offers `fresh_app()`: a new emulator in its
starting state (empty, or with one demo seller where OAuth needs someone to approve).
The registry (`tillsync.providers.EMULATORS`) says which package is whose.
"""
