"""One package per provider, plus the HTTP helpers they share."""
