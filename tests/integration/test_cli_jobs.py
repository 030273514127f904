"""`tillsync jobs`: an operator lists the queue and puts a failed job back."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.support.jobs import add_job, at
from tillsync.bootstrap import open_hub
from tillsync.cli import app
from tillsync.config import Settings
from tillsync.jobs.states import JOB_STATES
from tillsync.store.tables import Job


def _add(**values: Any) -> str:
    async def main() -> str:
        async with open_hub(Settings(_env_file=None)) as hub:  # type: ignore[call-arg]
            return await add_job(hub.uows, **values)

    return asyncio.run(main())


def _load(job_id: str) -> Job:
    async def main() -> Job:
        async with open_hub(Settings(_env_file=None)) as hub, hub.uows.read() as session:  # type: ignore[call-arg]
            job = await session.get(Job, job_id)
        assert job is not None
        return job

    return asyncio.run(main())


def _jobs(*args: str) -> Any:
    return CliRunner().invoke(app, ["jobs", *args])


def test_list_shows_the_queue_filtered_by_state_and_kind(cli_env: Path) -> None:
    failed = _add(
        kind="cin7.push_sale",
        state="failed",
        attempts=12,
        last_error="POST /sale: 400 [/bold] " + "x" * 200,
        created_at=at(1),
    )
    retrying = _add(kind="cin7.push_sale", state="retry", attempts=2, next_attempt_at=at(9))
    webhook = _add(kind="cin7.apply_webhook", state="success", created_at=at(2))

    everything = _jobs("list")
    assert everything.exit_code == 0, everything.output
    assert all(job[:8] in everything.output for job in (failed, retrying, webhook))
    assert "3 job(s)" in everything.output
    assert "03-01 09:09" in everything.output  # the retry's next attempt
    assert "POST /sale: 400 [/bold]" in everything.output  # shown as written, not as markup
    assert "x" * 100 not in everything.output  # long errors are trimmed

    only_failed = _jobs("list", "--state", "failed")
    assert failed[:8] in only_failed.output
    assert retrying[:8] not in only_failed.output
    assert "1 job(s)" in only_failed.output
    by_kind = _jobs("list", "--kind", "cin7.apply_webhook", "--limit", "5")
    assert webhook[:8] in by_kind.output
    assert failed[:8] not in by_kind.output


def test_list_refuses_an_unknown_state_and_names_the_known_ones(cli_env: Path) -> None:
    result = _jobs("list", "--state", "done")
    assert result.exit_code == 2
    assert "'done' is not one of" in result.output
    assert all(f"'{state}'" in result.output for state in JOB_STATES)


def test_retry_puts_a_failed_job_back_by_its_short_id(cli_env: Path) -> None:
    job_id = _add(kind="cin7.push_sale", state="failed", attempts=12, last_error="timeout")

    result = _jobs("retry", job_id[:8])

    assert result.exit_code == 0, result.output
    assert job_id in result.output
    assert "after 12 attempt(s)" in result.output
    assert "pending again" in result.output
    job = _load(job_id)
    assert (job.state, job.attempts, job.last_error) == ("pending", 0, None)


@pytest.mark.parametrize("state", ["success", "retry"])
def test_retry_refuses_a_job_that_is_not_failed(cli_env: Path, state: str) -> None:
    job_id = _add(kind="cin7.push_sale", state=state, attempts=1)
    result = _jobs("retry", job_id)
    assert result.exit_code == 1
    assert f"is {state}, not failed" in result.output
    assert _load(job_id).state == state


def test_retry_of_an_unknown_job_says_so(cli_env: Path) -> None:
    _add(kind="cin7.push_sale", state="success")
    result = _jobs("retry", "00000000")
    assert result.exit_code == 1
    assert "no job 00000000" in result.output
