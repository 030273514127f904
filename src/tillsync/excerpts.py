"""Excerpts: a long message as one short line, for tables and running commentary."""

from __future__ import annotations


def excerpt(text: str | None, width: int = 60) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis; "" for nothing."""
    line = " ".join((text or "").split())
    return line if len(line) <= width else line[: width - 1] + "…"
