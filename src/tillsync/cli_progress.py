"""`tillsync sync <provider>`: queue a pull and follow its run with a progress bar."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tillsync.bootstrap import Hub, open_hub
from tillsync.config import Settings
from tillsync.errors import ClientError
from tillsync.services.sync import pulls
from tillsync.services.sync.progress import PullView, pull_progress

POLL_SECONDS = 0.5
IDLE_HINT_SECONDS = 10.0
DONE = ("success", "partial", "failed")


async def follow_pull(
    settings: Settings,
    console: Console,
    *,
    provider: str,
    mode: str,
    tenant: str | None,
    here: bool,
) -> str:
    """Queue the pull (or join the one of that mode already queued); its final status."""
    async with open_hub(settings) as hub:
        try:
            async with hub.uows.read() as session:
                tenant_id = tenant or await pulls.only_tenant(
                    session, hub.services.providers, provider
                )
            try:
                run_id = (
                    await pulls.request_pull(
                        hub.services, tenant_id=tenant_id, mode=mode, provider=provider
                    )
                ).run_id
            except pulls.PullInProgress as busy:
                if busy.run_id is None:
                    console.print(busy.message, markup=False)
                    return "failed"
                console.print(f"{busy.message}: following it", markup=False)
                run_id = busy.run_id
        except ClientError as exc:
            console.print(exc.message, style="red", markup=False)
            return "failed"
        stop = asyncio.Event()
        # A worker only: this command runs its pull, not the hub's periodic duties.
        worker = asyncio.create_task(hub.create_worker().run(stop)) if here else None
        try:
            label = hub.services.providers.get(provider).title
            view = await _follow(
                hub, console, label=label, tenant_id=tenant_id, run_id=run_id, here=here
            )
        finally:
            stop.set()
            if worker is not None:
                await worker
    _summary(console, view)
    return str(view.status)


async def _follow(
    hub: Hub, console: Console, *, label: str, tenant_id: str, run_id: str, here: bool
) -> PullView:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TimeElapsedColumn(),
    )
    waited = 0.0
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("queued", total=None)
        while True:
            view = await pull_progress(hub.services, tenant_id=tenant_id, run_id=run_id)
            bar.update(
                task,
                description=f"{label} {view.mode} sync: {view.phase or view.status}",
                completed=view.pages or 0,
                total=view.pages_total,
            )
            if view.status in DONE:
                return view
            waited = waited + POLL_SECONDS if view.status == "queued" else 0.0
            if not here and waited == IDLE_HINT_SECONDS:
                console.print(
                    "no worker has taken the run yet: is `tillsync serve` (or `tillsync "
                    "worker`) running? Add --here to run one in this command.",
                    markup=False,
                )
            await asyncio.sleep(POLL_SECONDS)


def _summary(console: Console, view: PullView) -> None:
    console.print(
        f"run {view.run_id}: {view.status}, {view.pages} page(s), "
        f"{view.items_synced} item(s) synced, {view.items_deleted} retired, "
        f"{view.items_failed} failed",
        markup=False,
    )
    if view.mode == "reconcile":
        console.print(f"drift: {view.drift_found} found, {view.drift_fixed} repaired", markup=False)
    if view.error:
        console.print(f"error: {view.error}", style="red", markup=False)
