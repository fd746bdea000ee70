"""The mail backend, chosen by NETWORKFEST_MAIL_BACKEND: `console` (default), `smtp`, `memory`."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app

log = logging.getLogger("networkfest.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def outbox(app: Flask) -> list[Mail]:
    """Mails kept by the `memory` backend (tests)."""
    box: list[Mail] = app.extensions.setdefault("networkfest.outbox", [])
    return box


def send_mail(to: str, subject: str, body: str) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    mail = Mail(to=to, subject=subject, body=body)
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox(app).append(mail)
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
