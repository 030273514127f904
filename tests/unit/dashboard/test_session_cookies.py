"""The session cookie: signed with keys the vault derives, readable back only as it was written."""

import datetime as dt

import pytest

from tillsync.clock import FakeClock
from tillsync.dashboard.sessions import MAX_AGE, PURPOSE, SessionCookies, fresh
from tillsync.vault import Vault

OLD, NEW = b"o" * 32, b"n" * 32


def _cookies(clock: FakeClock, *keys: bytes) -> SessionCookies:
    return SessionCookies(Vault(list(keys)).derive(PURPOSE), clock, secure=False)


def test_a_signed_in_session_reads_back_as_written() -> None:
    clock = FakeClock()
    cookies = _cookies(clock, NEW)
    session = fresh(clock.now()).signing_in(tenant_id="t1", key_id="k1", now=clock.now())
    assert cookies.loads(cookies.dumps(session)) == session
    assert session.signed_in


def test_signing_in_changes_the_csrf_token() -> None:
    now = FakeClock().now()
    anonymous = fresh(now)
    assert anonymous.signing_in(tenant_id="t", key_id="k", now=now).csrf != anonymous.csrf


def test_derived_keys_are_not_the_vaults_and_differ_by_purpose() -> None:
    vault = Vault([NEW, OLD])
    derived = vault.derive(PURPOSE)
    assert len(derived) == 2
    assert NEW not in derived
    assert OLD not in derived
    assert vault.derive("another purpose") != derived
    assert Vault([NEW, OLD]).derive(PURPOSE) == derived


@pytest.mark.parametrize(
    ("writer", "reader", "reads"),
    [
        ((OLD,), (NEW, OLD), True),  # a rotation: sessions signed before it still hold
        ((NEW, OLD), (NEW, OLD), True),
        ((OLD,), (NEW,), False),  # the old key removed: its sessions are over
        ((NEW,), (OLD,), False),
    ],
)
def test_sessions_follow_the_rotation_of_the_vaults_keys(
    writer: tuple[bytes, ...], reader: tuple[bytes, ...], reads: bool
) -> None:
    clock = FakeClock()
    session = fresh(clock.now())
    cookie = _cookies(clock, *writer).dumps(session)
    assert (_cookies(clock, *reader).loads(cookie) == session) is reads


@pytest.mark.parametrize(
    ("age", "reads"),
    [
        (dt.timedelta(0), True),
        (MAX_AGE, True),
        (MAX_AGE + dt.timedelta(seconds=1), False),
        (-dt.timedelta(seconds=30), True),  # another host's clock a little ahead
        (-dt.timedelta(minutes=5), False),
    ],
)
def test_a_session_is_over_after_its_maximum_age(age: dt.timedelta, reads: bool) -> None:
    clock = FakeClock()
    cookies = _cookies(clock, NEW)
    cookie = cookies.dumps(fresh(clock.now() - age))
    assert (cookies.loads(cookie) is not None) is reads


@pytest.mark.parametrize("cookie", [None, "", "garbage", "e30.signature", "a.b.c"])
def test_anything_but_a_cookie_it_signed_is_no_session(cookie: str | None) -> None:
    assert _cookies(FakeClock(), NEW).loads(cookie) is None
