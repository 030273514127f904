"""How a secret credential is shown: masked, the same way for every provider."""

SHOWN_PREFIX, SHOWN_SUFFIX = 8, 4


def masked(secret: str) -> str:
    """Seed 001's mask: the first 8 characters and the last 4, never over a third of it."""
    head = min(SHOWN_PREFIX, len(secret) // 4)
    tail = min(SHOWN_SUFFIX, len(secret) // 8)
    return secret[:head] + "..." + (secret[len(secret) - tail :] if tail else "")
