"""Emulators of every provider, speaking their real APIs on loopback.

Each provider's package (`emulators/<name>/`) offers `fresh_app()`: a new emulator with an
empty state. The registry (`tillsync.providers.EMULATORS`) says which package is whose.
"""
