"""Notification e-mail through a real SMTP server on loopback: once per event, never lost."""

import datetime as dt
import socket
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.health import Scripted, Shop, shop_on, worker_for
from tillsync.config import Settings
from tillsync.errors import Retryable
from tillsync.services.notifications import MAIL_KIND

OWNER = "owner@fadefactory.test"
INTERVAL = 60
TIMEOUT = Retryable("GET /ref/productavailability: timed out")


class Mailbox:
    """An aiosmtpd handler: keeps what it accepts, refuses recipients it is told to."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_server(port: int) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    controller, mailbox = smtp_server(smtp_port)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
async def shop(settings: Settings, smtp_port: int) -> AsyncIterator[Shop]:
    settings.smtp_host = "127.0.0.1"
    settings.smtp_port = smtp_port
    settings.smtp_password = "smtp-password-never-shown"
    settings.mail_from = "tillsync@fadefactory.test"
    async with shop_on(settings) as opened:
        await opened.set_email(OWNER)
        yield opened


async def _fail_three_times(shop: Shop, handler: Scripted, connection_id: str) -> None:
    await shop.job(connection_id=connection_id)
    for _ in range(3):
        await worker_for(shop, handler).run_until_idle()
        shop.clock.advance(INTERVAL)


async def test_three_failures_in_a_row_send_exactly_one_email(shop: Shop, mailbox: Mailbox) -> None:
    connection_id = await shop.connection(
        settings={"retry_interval_seconds": INTERVAL, "max_retries": 10}
    )
    handler = Scripted(TIMEOUT)
    third_attempt = shop.clock.now() + dt.timedelta(seconds=2 * INTERVAL)
    await _fail_three_times(shop, handler, connection_id)
    [notice] = await shop.notifications()
    assert notice.kind == "consecutive_failures"
    [mail] = mailbox.received
    assert mail["To"] == OWNER
    assert mail["From"] == "tillsync@fadefactory.test"
    assert mail["Subject"] == notice.title
    assert parsedate_to_datetime(str(mail["Date"])) == third_attempt  # the hub's clock
    message_id = str(mail["Message-ID"]).strip()  # a long header may be folded
    assert message_id == f"<notification.{notice.id}@fadefactory.test>"
    body = mail.get_content()
    assert TIMEOUT.message in body
    assert "cin7 (warehouse), account Fade Factory Pty" in body
    for _ in range(2):  # the same streak goes on: no new notice, no new e-mail
        await worker_for(shop, handler).run_until_idle()
        shop.clock.advance(INTERVAL)
    assert handler.calls == 5
    assert len(mailbox.received) == 1
    [sent] = await shop.jobs(MAIL_KIND)
    assert (sent.state, sent.provider_reference) == ("success", message_id)


async def test_no_email_is_queued_without_an_address(shop: Shop, mailbox: Mailbox) -> None:
    await shop.set_email(None)
    connection_id = await shop.connection(settings={"retry_interval_seconds": INTERVAL})
    await _fail_three_times(shop, Scripted(TIMEOUT), connection_id)
    assert await shop.kinds() == ["consecutive_failures"]
    assert await shop.jobs(MAIL_KIND) == []
    assert mailbox.received == []


async def test_mail_waits_while_the_smtp_server_is_down_and_is_sent_once_it_is_back(
    shop: Shop, smtp_port: int
) -> None:
    connection_id = await shop.connection(settings={"retry_interval_seconds": INTERVAL})
    await _fail_three_times(shop, Scripted(TIMEOUT), connection_id)
    [waiting] = await shop.jobs(MAIL_KIND)
    assert (waiting.state, waiting.error_class, waiting.attempts) == ("retry", "retryable", 1)
    assert waiting.last_error is not None
    assert f"127.0.0.1:{smtp_port}" in waiting.last_error
    assert "smtp-password-never-shown" not in waiting.last_error
    controller, mailbox = smtp_server(smtp_port)
    try:
        shop.clock.advance(INTERVAL)
        await worker_for(shop, Scripted()).run_until_idle()
    finally:
        controller.stop()
    assert [m["To"] for m in mailbox.received] == [OWNER]
    [sent] = await shop.jobs(MAIL_KIND)
    assert (sent.state, sent.attempts) == ("success", 2)


@pytest.mark.parametrize(
    ("reply", "state", "error_class"),
    [
        ("550 5.1.1 No such user here", "failed", "permanent"),
        ("451 4.3.0 Mailbox temporarily unavailable", "retry", "retryable"),
    ],
)
async def test_a_refused_recipient_is_final_only_for_a_5xx_reply(
    shop: Shop, mailbox: Mailbox, reply: str, state: str, error_class: str
) -> None:
    mailbox.refuse[OWNER] = reply
    connection_id = await shop.connection(settings={"retry_interval_seconds": INTERVAL})
    await _fail_three_times(shop, Scripted(TIMEOUT), connection_id)
    [mail_job] = await shop.jobs(MAIL_KIND)
    assert (mail_job.state, mail_job.error_class) == (state, error_class)
    assert mail_job.last_error is not None
    assert reply in mail_job.last_error
    assert mailbox.received == []
    if state == "failed":  # told in-app, and never e-mailed about (no loop of failing mail)
        assert await shop.kinds() == ["consecutive_failures", "job_failed"]
    else:
        assert await shop.kinds() == ["consecutive_failures"]
