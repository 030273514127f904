"""A worker process of a hub that knows Tally: `python -m tests.support.tally.worker`.

The settings come from TILLSYNC_* variables as `tillsync worker` reads them; only the
providers differ (the registry's, and Tally).
"""

from __future__ import annotations

import asyncio

from tests.support.tally.provider import PROVIDER
from tillsync.bootstrap import open_hub
from tillsync.cli_common import run_until_signalled
from tillsync.config import Settings
from tillsync.providers import default_providers


def main() -> None:
    settings = Settings()

    async def work(stop: asyncio.Event) -> None:
        async with open_hub(settings, providers=default_providers().adding(PROVIDER)) as hub:
            await hub.run_worker(stop)

    run_until_signalled(work)


if __name__ == "__main__":
    main()
