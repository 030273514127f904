"""The sandbox: the hub and every emulator on loopback, with a demo business connected."""
