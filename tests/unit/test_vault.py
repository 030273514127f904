"""The credential vault: sealed values, fresh nonces, rotation."""

from pathlib import Path

import pytest

from tillsync.errors import ConfigurationError
from tillsync.vault import Vault, decode_key, generate_key, load_vault


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
