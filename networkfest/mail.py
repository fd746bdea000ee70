"""The mail backend, chosen by NETWORKFEST_MAIL_BACKEND: `console` (default), `smtp`, `memory`."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import Flask, current_app

from networkfest.extensions import socketio

log = logging.getLogger("networkfest.mail")
PENDING_KEY = "networkfest.mail_pending"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def outbox(app: Flask) -> list[Mail]:
    """Mails kept by the `memory` backend (tests), once every mail sent later has gone."""
    finish_sending(app)
    return _box(app)


def _box(app: Flask) -> list[Mail]:
    box: list[Mail] = app.extensions.setdefault("networkfest.outbox", [])
    return box


def send_later(to: str, subject: str, body: str) -> None:
    """Send off the request path: the reply does not wait for SMTP, so how long it takes
    tells nothing about whether there was anyone to mail. The mail is composed by the
    caller; the task itself touches no database."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                send_mail(to, subject, body)
            except Exception:
                log.exception("a mail to %s could not be sent", to)

    pending: list[Any] = app.extensions.setdefault(PENDING_KEY, [])
    pending[:] = [task for task in pending if _alive(task)]
    pending.append(socketio.start_background_task(run))


def finish_sending(app: Flask) -> None:
    """Wait for the mails sent later (tests read the outbox; nothing else needs to)."""
    for task in list(app.extensions.get(PENDING_KEY, [])):
        task.join()


def _alive(task: Any) -> bool:
    alive = getattr(task, "is_alive", None)
    return bool(alive()) if alive is not None else not task.dead


def send_mail(to: str, subject: str, body: str) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    mail = Mail(to=to, subject=subject, body=body)
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        _box(app).append(mail)
    elif backend == "smtp":
        _send_smtp(app, mail)
    else:
        log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        print(f"--- mail to {mail.to}: {mail.subject}\n{mail.body}\n---", flush=True)


def _send_smtp(app: Flask, mail: Mail) -> None:
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(app.config["SMTP_HOST"], app.config["SMTP_PORT"], timeout=10) as smtp:
        if app.config["SMTP_STARTTLS"]:
            # smtplib's default context does not check the certificate: insist on it.
            context = ssl.create_default_context(cafile=app.config.get("SMTP_CA_FILE"))
            smtp.starttls(context=context)
        if app.config["SMTP_USER"]:
            smtp.login(app.config["SMTP_USER"], app.config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)
