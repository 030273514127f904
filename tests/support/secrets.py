"""Finding credentials where they must never be: log records, database files, table dumps.

`LogCapture` keeps every log record created in this process (a record factory, so no
handler swap by `configure_logging` can hide one); `secrets_of` opens the credentials a
test's database holds, so the whole suite is checked without each test naming its keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import asyncpg

from tillsync.errors import ConfigurationError
from tillsync.vault import Vault, decode_key

STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
TENANT_KEY = re.compile(r"tsk_[A-Za-z0-9_\-]{20,}")
"""A tenant API key has a recognisable shape; the hub keeps only its hash."""
IDENTIFIERS = frozenset(
    {"account_id", "accounts_server", "api_domain", "location", "account", "account_number"}
)
"""Stored beside the keys but no secret: an account (its id, login or number), and where
its data centre is (Zoho)."""
REMEMBERED: set[str] = set()
"""Secrets a test names itself (keys it generates, values it expects refused)."""


def remember(*secrets: str) -> None:
    REMEMBERED.update(secret for secret in secrets if secret)


class LogCapture:
    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self._previous: Callable[..., logging.LogRecord] | None = None

    def install(self) -> None:
        previous = logging.getLogRecordFactory()
        self._previous = previous

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            self.records.append(record)
            return record

        logging.setLogRecordFactory(factory)

    def uninstall(self) -> None:
        if self._previous is not None:
            logging.setLogRecordFactory(self._previous)

    def clear(self) -> None:
        self.records.clear()

    def lines(self) -> list[str]:
        """Each record as every formatter could write it: message, extras unredacted, trace."""
        return [text(record) for record in list(self.records)]


def text(record: logging.LogRecord) -> str:
    try:
        parts = [record.getMessage()]
    except Exception:  # a broken format string is still a line someone reads
        parts = [str(record.msg), repr(record.args)]
    parts += [
        f"{name}={value!r}"
        for name, value in record.__dict__.items()
        if name not in STANDARD and not name.startswith("_")
    ]
    if record.exc_info and record.exc_info[1] is not None:
        parts += traceback.format_exception(record.exc_info[1])
    if record.stack_info:
        parts.append(record.stack_info)
    return " ".join(parts)


def leaks(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Every (secret, excerpt) found, the secret cut short so the report leaks nothing."""
    wanted = [secret for secret in set(secrets) if len(secret) >= 8]
    found = []
    for line in texts:
        for secret in wanted:
            if secret in line:
                found.append(f"{secret[:4]}… in: {_excerpt(line, secret)}")
        for match in TENANT_KEY.finditer(line):
            found.append(f"a tenant API key in: {_excerpt(line, match.group())}")
    return found


def leaks_in_bytes(blobs: Iterable[bytes], secrets: Iterable[str]) -> list[str]:
    """Named secrets only: in a row's bytes a key's stored prefix runs into its hash."""
    wanted = [secret for secret in set(secrets) if len(secret) >= 8]
    return [f"{s[:4]}… in the database" for blob in blobs for s in wanted if s.encode() in blob]


def _excerpt(line: str, secret: str) -> str:
    at = line.index(secret)
    return (
        line[max(0, at - 60) : at] + "<SECRET>" + line[at + len(secret) : at + len(secret) + 60]
    ).replace("\n", " ")


def secrets_of(database_url: str, keys: Iterable[str]) -> set[str]:
    """The plain credentials a test database holds: CIN7 keys, webhook secrets, and so on."""
    return _opened(_sealed_values(database_url), keys)


async def stored_secrets(database_url: str, keys: Iterable[str]) -> set[str]:
    """`secrets_of` from inside a running event loop."""
    if database_url.startswith("sqlite"):
        return secrets_of(database_url, keys)
    return _opened(await _postgres_values(database_url), keys)


def _opened(sealed_values: list[str], keys: Iterable[str]) -> set[str]:
    vaults = []
    for key in set(keys):
        with contextlib.suppress(ConfigurationError):  # not a vault key: another kind of secret
            vaults.append(Vault([decode_key(key)]))
    found: set[str] = set()
    for sealed in sealed_values:
        for vault in vaults:
            if vault.needs_rotation(sealed):  # sealed with another key
                continue
            found |= {
                str(value)
                for name, value in vault.open_json(sealed).items()
                if name not in IDENTIFIERS and isinstance(value, str)
            }
    return found


def _sealed_values(database_url: str) -> list[str]:
    if not database_url.startswith("sqlite:///"):
        return asyncio.run(_postgres_values(database_url))
    path = Path(database_url.removeprefix("sqlite:///"))
    if not path.exists():
        return []
    with sqlite3.connect(path) as connection:
        try:
            rows = connection.execute("SELECT credentials FROM connections").fetchall()
        except sqlite3.OperationalError:  # not migrated
            return []
    return [row[0] for row in rows if row[0]]


async def _postgres_values(database_url: str) -> list[str]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("SELECT credentials FROM connections")
    finally:
        await connection.close()
    return [row[0] for row in rows if row[0]]
