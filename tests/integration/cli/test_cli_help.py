"""What `--help` and `--version` tell an operator: defaults, variables, allowed values."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner, Result

from tillsync import __version__
from tillsync.cli import app
from tillsync.config import Settings
from tillsync.jobs.states import JOB_STATES
from tillsync.providers import EMULATORS, default_providers


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250", "NO_COLOR": "1"})


def _help(*command: str) -> str:
    result = _invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # one line: wrapping cannot split a word we look for


def test_version_prints_the_package_version() -> None:
    result = _invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"tillsync {__version__}\n"


@pytest.mark.parametrize(
    ("command", "setting", "default"),
    [
        (["serve"], "host", "127.0.0.1"),
        (["serve"], "port", "9999"),
        (["serve"], "embedded_worker", "worker"),
    ],
)
def test_serve_options_show_their_variable_and_default(
    command: list[str], setting: str, default: str
) -> None:
    shown = _help(*command)
    assert f"TILLSYNC_{setting.upper()}" in shown
    assert f"[default: ({default})]" in shown or f"[default: {default}]" in shown
    if setting != "embedded_worker":
        assert str(Settings.model_fields[setting].default) == default


@pytest.mark.parametrize(
    "command",
    [
        ["jobs", "list"],
        ["jobs", "retry"],
        ["tenant", "list"],
        ["tenant", "create"],
        ["tenant", "rotate-key"],
        ["tenant", "revoke-key"],
        ["sync"],
        ["keys", "rotate"],
        ["serve"],
        ["worker"],
        ["sandbox"],
    ],
)
def test_every_command_with_a_database_finds_a_sandbox_by_its_folder(command: list[str]) -> None:
    shown = _help(*command)
    assert "--state-dir" in shown
    assert "TILLSYNC_STATE_DIR" in shown


def test_the_sandbox_shows_its_defaults() -> None:
    shown = _help("sandbox")
    assert "[default: 9999]" in shown
    assert "[default: .tillsync-sandbox]" in shown
    assert "[default: 4.0]" in shown


def test_jobs_list_names_every_state_it_accepts() -> None:
    shown = _help("jobs", "list")
    choices = re.search(r"--state <([a-z|]+)>", shown)
    assert choices is not None, shown
    assert tuple(choices.group(1).split("|")) == JOB_STATES
    assert "[default: 50]" in shown


def test_sync_and_emulator_offer_the_providers_of_the_registry() -> None:
    warehouses = [p.name for p in default_providers().with_role("warehouse")]
    assert f"<{'|'.join(warehouses)}>" in _help("sync")
    assert f"<{'|'.join(EMULATORS)}>" in _help("emulator")
    refused = _invoke("sync", "nowhere")
    assert refused.exit_code == 2
    assert "'nowhere' is not one of" in refused.output
