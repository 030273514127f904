"""Answer of GET /healthz: the process answers (the database is not asked)."""

from __future__ import annotations

from typing import Literal

from tillsync.api.answers import Answer


class Liveness(Answer):
    status: Literal["ok"]
