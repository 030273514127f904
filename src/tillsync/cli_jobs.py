"""`tillsync jobs`: the job queue, looked at and put back."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import typer

from tillsync.cli_common import console
from tillsync.cli_common import settings_from_env as _settings

jobs_app = typer.Typer(help="The job queue: look at jobs, retry failed ones.", no_args_is_help=True)


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option(help="Only jobs in this state.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
) -> None:
    """List jobs of every tenant, newest first."""
    from rich.table import Table
    from rich.text import Text

    from tillsync.bootstrap import open_hub
    from tillsync.jobs.admin import list_jobs
    from tillsync.jobs.states import JOB_STATES

    if state is not None and state not in JOB_STATES:
        choices = ", ".join(JOB_STATES)
        console.print(f"Unknown state '{state}': use one of {choices}.", style="red", markup=False)
        raise typer.Exit(1)
    settings = _settings()

    async def main() -> None:
        async with open_hub(settings) as hub:
            jobs = await list_jobs(hub.uows, state=state, kind=kind, limit=limit)
        # Month and day are enough: retention removes jobs long before a year is up.
        table = Table(box=None, pad_edge=False)
        table.add_column("id", no_wrap=True, min_width=8)
        table.add_column("kind", no_wrap=True)
        table.add_column("state", no_wrap=True, min_width=7)
        table.add_column("tries", no_wrap=True, justify="right")
        table.add_column("next", no_wrap=True, min_width=11)
        table.add_column("last error", overflow="fold", min_width=12)
        table.add_column("created", no_wrap=True, min_width=11)
        for job in jobs:
            due = job.state in ("pending", "retry")
            table.add_row(
                job.id[:8],
                Text(job.kind),
                job.state,
                str(job.attempts),
                _when(job.next_attempt_at) if due else "",
                Text(_trimmed(job.last_error)),
                _when(job.created_at),
            )
        console.print(table)
        console.print(f"{len(jobs)} job(s); times are UTC")

    asyncio.run(main())


@jobs_app.command("retry")
def jobs_retry(job_id: Annotated[str, typer.Argument(help="The job id or its prefix.")]) -> None:
    """Put a failed job back to pending, due now, with its attempts at zero."""
    from tillsync.bootstrap import open_hub
    from tillsync.errors import ClientError
    from tillsync.jobs.admin import retry_failed

    settings = _settings()

    async def main() -> None:
        async with open_hub(settings) as hub:
            try:
                retried = await retry_failed(hub.uows, job_id)
            except ClientError as exc:
                console.print(exc.message, style="red", markup=False)
                raise typer.Exit(1) from exc
        console.print(
            f"job {retried.id} ({retried.kind}) was failed after {retried.attempts_before} "
            "attempt(s); it is pending again with 0 attempts and a worker will take it now.",
            markup=False,
        )
        if retried.last_error:
            console.print(f"its last error was: {_trimmed(retried.last_error, 200)}", markup=False)

    asyncio.run(main())


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%m-%d %H:%M")


def _trimmed(text: str | None, width: int = 60) -> str:
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
