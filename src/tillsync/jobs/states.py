"""The states a job can be in (imported by the command line's help, so nothing heavy)."""

from __future__ import annotations

from typing import Literal, get_args

JobState = Literal["pending", "syncing", "retry", "success", "failed", "batched"]
JOB_STATES: tuple[JobState, ...] = get_args(JobState)
