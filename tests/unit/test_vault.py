"""The credential vault: sealed values, fresh nonces, rotation."""

from pathlib import Path

import pytest

from tillsync.errors import ConfigurationError
from tillsync.vault import Vault, check_keys, decode_key, generate_key, load_vault


def test_sealing_round_trips_and_hides_the_plaintext() -> None:
    vault = Vault([decode_key(generate_key())])
    sealed = vault.seal("app-key-1234567890")
    assert "app-key" not in sealed
    assert vault.open(sealed) == "app-key-1234567890"


def test_every_seal_uses_a_fresh_nonce() -> None:
    vault = Vault([decode_key(generate_key())])
    assert vault.seal("same") != vault.seal("same")


def test_old_keys_still_open_what_they_sealed() -> None:
    old, new = decode_key(generate_key()), decode_key(generate_key())
    sealed = Vault([old]).seal("secret")
    rotated = Vault([new, old])
    assert rotated.open(sealed) == "secret"
    assert rotated.needs_rotation(sealed)
    assert not rotated.needs_rotation(rotated.seal("secret"))


def test_a_tampered_value_is_refused() -> None:
    vault = Vault([decode_key(generate_key())])
    sealed = vault.seal("secret")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(ConfigurationError):
        vault.open(tampered)


def test_production_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="TILLSYNC_SECRET_KEYS"):
        load_vault(keys=[], production=True, data_dir=tmp_path)


def test_development_creates_and_keeps_a_key(tmp_path: Path) -> None:
    first = load_vault(keys=[], production=False, data_dir=tmp_path)
    second = load_vault(keys=[], production=False, data_dir=tmp_path)
    assert second.open(first.seal("x")) == "x"


def test_a_short_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="32 bytes"):
        decode_key("c2hvcnQ")


def test_development_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        vaults = list(
            pool.map(lambda _: load_vault(keys=[], production=False, data_dir=tmp_path), range(8))
        )
    sealed = vaults[0].seal("x")
    assert all(vault.open(sealed) == "x" for vault in vaults)
    assert [path.name for path in tmp_path.iterdir()] == ["secret.key"]  # no drafts left


@pytest.mark.parametrize(
    ("keys", "production", "problem"),
    [
        ([], True, "TILLSYNC_SECRET_KEYS is required"),
        (["not-a-key"], False, "not valid base64"),
        ([generate_key(), "c2hvcnQ"], True, "32 bytes"),
    ],
)
def test_keys_are_checked_before_anything_starts(
    keys: list[str], production: bool, problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        check_keys(keys=keys, production=production)


def test_the_first_key_seals_and_every_key_opens() -> None:
    first, second, third = (decode_key(generate_key()) for _ in range(3))
    vault = Vault([first, second, third])
    assert Vault([first]).open(vault.seal("new")) == "new"
    for key in (second, third):
        assert vault.open(Vault([key]).seal("old")) == "old"
    with pytest.raises(ConfigurationError, match="no longer has"):
        Vault([second]).open(vault.seal("new"))
