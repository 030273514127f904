"""The command line as an operator uses it."""

from pathlib import Path

from typer.testing import CliRunner

from tillsync.cli import app


def test_tenant_create_prints_a_key_once_and_stores_only_its_hash(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["tenant", "create", "Fade Factory"])
    assert result.exit_code == 0, result.output
    key = next(line.split()[-1] for line in result.output.splitlines() if "api key" in line)
    assert key.startswith("tsk_")
    assert key.encode() not in (cli_env / "cli.db").read_bytes()


def test_keys_generate_prints_a_usable_key() -> None:
    from tillsync.vault import decode_key

    result = CliRunner().invoke(app, ["keys", "generate"])
    assert result.exit_code == 0
    assert len(decode_key(result.output.strip())) == 32
