"""The mail.send job: one notification e-mailed through the configured SMTP server.

SMTP answers are translated once, here: a refused connection, a timeout or a 4xx reply
is `Retryable` (the outbox tries again on its schedule); a 5xx reply (recipient or sender
refused, message rejected, login refused) is `Permanent`. The Message-ID is derived from
the notification, so a receiver can tell a resend after an uncertain outcome (the server
took the message, then the worker died before settling) from a new e-mail.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from email.message import EmailMessage

import aiosmtplib

from tillsync.config import Settings
from tillsync.errors import Permanent, Retryable
from tillsync.jobs.worker import JobContext

SMTP_TIMEOUT_SECONDS = 30.0
MESSAGE_LENGTH = 300


def compose(
    settings: Settings,
    *,
    notification_id: str,
    to: str,
    subject: str,
    body: str,
    now: dt.datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(now.astimezone(dt.UTC), usegmt=True)
    domain = settings.mail_from.rpartition("@")[2] or "tillsync"
    message["Message-ID"] = f"<notification.{notification_id}@{domain}>"
    message.set_content(body)
    return message


async def send_mail(settings: Settings, ctx: JobContext) -> None:
    if not settings.smtp_host:
        raise Permanent("mail is not configured: TILLSYNC_SMTP_HOST is empty")
    message = compose(
        settings,
        notification_id=str(ctx.field("notification_id")),
        to=str(ctx.field("to")),
        subject=str(ctx.field("subject")),
        body=str(ctx.field("body")),
        now=ctx.uows.clock.now(),
    )
    server = f"SMTP {settings.smtp_host}:{settings.smtp_port}"
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [refusal.code for refusal in exc.recipients]
        detail = "; ".join(_reply(r.code, r.message) for r in exc.recipients)
        error = f"{server} refused the recipient: {detail}"
        raise (Permanent(error) if codes and min(codes) >= 500 else Retryable(error)) from exc
    except aiosmtplib.SMTPResponseException as exc:
        error = f"{server} answered {_reply(exc.code, exc.message)}"
        raise (Permanent(error) if exc.code >= 500 else Retryable(error)) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        # The library's own text: it names the host and the failure, never the login.
        raise Retryable(f"{server} unreachable: {type(exc).__name__}: {exc}") from exc
    ctx.reference = str(message["Message-ID"])


def _reply(code: int, text: str) -> str:
    return f"{code} {' '.join(text.split())[:MESSAGE_LENGTH]}"
