"""The credential vault: AES-256-GCM with a fresh nonce per encryption and rotatable keys.

A sealed value reads `v1.<key id>.<base64(nonce + ciphertext)>`. The first key encrypts;
every key decrypts, so a new key can be put first while old values are still readable.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tillsync.errors import ConfigurationError

log = logging.getLogger(__name__)
NONCE_BYTES = 12
VERSION = "v1"


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError("a secret key is not valid base64") from exc
    if len(key) != 32:
        raise ConfigurationError("a secret key must be 32 bytes (base64 of 32 random bytes)")
    return key


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class Vault:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ConfigurationError("the vault needs at least one key")
        self._keys = {_key_id(key): AESGCM(key) for key in keys}
        self._current = _key_id(keys[0])
        self._raw = list(keys)

    def derive(self, purpose: str) -> list[bytes]:
        """One key for `purpose` (signing the dashboard's cookies) per vault key, current first.

        HMAC-SHA256 of the purpose's name under each key: nothing signed with a derived key
        uses or reveals a key that encrypts credentials, and rotating the vault's keys
        rotates these too (values signed with an older key still verify until it is removed).
        """
        return [hmac.new(key, purpose.encode(), hashlib.sha256).digest() for key in self._raw]

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._current].encrypt(nonce, plaintext.encode(), None)
        return f"{VERSION}.{self._current}.{base64.b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str) -> str:
        try:
            version, key_id, blob = sealed.split(".", 2)
            raw = base64.b64decode(blob)
            aead = self._keys[key_id]
            if version != VERSION:
                raise ValueError(version)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
        except KeyError as exc:
            raise ConfigurationError(
                "a secret was sealed with a key the hub no longer has"
            ) from exc
        except (ValueError, InvalidTag, binascii.Error) as exc:
            raise ConfigurationError("a sealed secret is damaged") from exc

    def seal_json(self, value: dict[str, Any]) -> str:
        return self.seal(json.dumps(value, separators=(",", ":")))

    def open_json(self, sealed: str) -> dict[str, Any]:
        value = json.loads(self.open(sealed))
        assert isinstance(value, dict)
        return value

    def needs_rotation(self, sealed: str) -> bool:
        return not sealed.startswith(f"{VERSION}.{self._current}.")


def load_vault(*, keys: list[str], production: bool, data_dir: Path) -> Vault:
    """Keys from settings; in development a generated key kept in data_dir, loudly."""
    check_keys(keys=keys, production=production)
    if keys:
        return Vault([decode_key(key) for key in keys])
    path = data_dir / "secret.key"
    _create_key_file(path)
    log.warning(
        "DEVELOPMENT KEY IN USE: secrets are encrypted with a generated key stored beside the "
        "database. Set TILLSYNC_SECRET_KEYS for anything but development.",
        extra={"key_file": str(path)},
    )
    return Vault([decode_key(path.read_text().strip())])


def check_keys(*, keys: list[str], production: bool) -> None:
    """Refuse at once what `load_vault` would refuse, before anything else starts."""
    if production and not keys:
        raise ConfigurationError(
            "TILLSYNC_SECRET_KEYS is required in production (generate one: tillsync keys generate)"
        )
    for key in keys:
        decode_key(key)


def _create_key_file(path: Path) -> None:
    """Created once, readable by its owner only; processes starting together agree on it.

    The key is written whole to a private file first, then linked into place: a process
    never reads a half-written key, and the first link wins.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{generate_key()[:8]}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(generate_key())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        draft.unlink()
