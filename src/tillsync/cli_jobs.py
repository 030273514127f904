"""`tillsync jobs`: the job queue, looked at and put back."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from tillsync.cli_common import AsJson, StateDir, Verbose, console, print_json
from tillsync.cli_target import command_settings, on_hub
from tillsync.excerpts import excerpt
from tillsync.jobs.states import JobState

if TYPE_CHECKING:
    from tillsync.jobs.admin import JobSummary

jobs_app = typer.Typer(help="The job queue: look at jobs, retry failed ones.", no_args_is_help=True)


@jobs_app.command("list")
def jobs_list(
    *,
    state: Annotated[JobState | None, typer.Option(help="Only jobs in this state.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only jobs of this kind (`<provider>.<verb>`).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
    as_json: AsJson = False,
    state_dir: StateDir = None,
    verbose: Verbose = False,
) -> None:
    """List jobs of every tenant, newest first."""
    from rich.table import Table
    from rich.text import Text

    from tillsync.jobs.admin import list_jobs

    settings = command_settings(state_dir, verbose=verbose)
    jobs = on_hub(settings, lambda uows: list_jobs(uows, state=state, kind=kind, limit=limit))
    if as_json:
        print_json([_job_json(job) for job in jobs])
        return
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
            Text(excerpt(job.last_error)),
            _when(job.created_at),
        )
    console.print(table)
    console.print(f"{len(jobs)} job(s); times are UTC")


@jobs_app.command("retry")
def jobs_retry(
    job_id: Annotated[str, typer.Argument(help="The job id or its prefix.")],
    state_dir: StateDir = None,
    verbose: Verbose = False,
) -> None:
    """Put a failed job back to pending, due now, with its attempts at zero."""
    from tillsync.jobs.admin import retry_failed

    settings = command_settings(state_dir, verbose=verbose)
    retried = on_hub(settings, lambda uows: retry_failed(uows, job_id))
    console.print(
        f"job {retried.id} ({retried.kind}) was failed after {retried.attempts_before} "
        "attempt(s); it is pending again with 0 attempts and a worker will take it now.",
        markup=False,
    )
    if retried.last_error:
        console.print(f"its last error was: {excerpt(retried.last_error, 200)}", markup=False)


def _job_json(job: JobSummary) -> dict[str, object]:
    due = job.state in ("pending", "retry")
    return {
        "id": job.id,
        "tenant_id": job.tenant_id,
        "kind": job.kind,
        "state": job.state,
        "attempts": job.attempts,
        "next_attempt_at": job.next_attempt_at.isoformat() if due else None,
        "last_error": job.last_error,
        "created_at": job.created_at.isoformat(),
    }


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%m-%d %H:%M")
