"""The SMTP mail backend against a real local SMTP server (aiosmtpd), plain and with STARTTLS."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from networkfest.mail import finish_sending, send_mail
from tests.conftest import skip_or_fail
from tests.server import free_port


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def only_festival(server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"fest", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


def start(controller: Controller) -> Controller:
    controller.start()
    return controller


@pytest.fixture
def plain_server(inbox: Inbox) -> Iterator[Controller]:
    controller = start(Controller(inbox, hostname="127.0.0.1", port=free_port()))
    yield controller
    controller.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        skip_or_fail("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(inbox: Inbox, certificate: tuple[Path, Path]) -> Iterator[Controller]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    controller = start(
        Controller(
            inbox,
            hostname="127.0.0.1",
            port=free_port(),
            tls_context=context,
            require_starttls=True,
            authenticator=only_festival,
            auth_require_tls=True,
        )
    )
    yield controller
    controller.stop()


def use_smtp(app: Any, controller: Controller, **extra: Any) -> None:
    settings = {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": controller.hostname,
        "SMTP_PORT": controller.port,
        "SMTP_STARTTLS": False,
        "SMTP_USER": None,
        "SMTP_PASSWORD": None,
        "MAIL_FROM": "Networkfest <festival@example.org>",
    }
    app.config.update(settings | extra)


def test_mail_goes_out_over_plain_smtp(app, inbox, plain_server) -> None:
    use_smtp(app, plain_server)
    send_mail("ann@example.org", "Your place", "Hello Ann,\n\nYou have a place: “Bingo”.\n")
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "festival@example.org"
    assert envelope.rcpt_tos == ["ann@example.org"]
    message = message_from_bytes(envelope.original_content)
    assert message["Subject"] == "Your place"
    assert "“Bingo”" in message.get_payload(decode=True).decode(message.get_content_charset())


def test_mail_goes_out_over_starttls_with_a_login(app, inbox, tls_server, certificate) -> None:
    use_smtp(
        app,
        tls_server,
        SMTP_STARTTLS=True,
        SMTP_USER="fest",
        SMTP_PASSWORD="s3cret",
        SMTP_CA_FILE=str(certificate[0]),
    )
    send_mail("ann@example.org", "Reset your password", "A link.")
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["ann@example.org"]


def test_starttls_refuses_a_certificate_it_cannot_trust(app, inbox, tls_server) -> None:
    use_smtp(app, tls_server, SMTP_STARTTLS=True, SMTP_USER="fest", SMTP_PASSWORD="s3cret")
    with pytest.raises(ssl.SSLCertVerificationError):
        send_mail("ann@example.org", "Reset your password", "A link.")
    assert inbox.envelopes == []


def test_a_reset_mail_reaches_the_smtp_server(app, client, factory, inbox, plain_server) -> None:
    use_smtp(app, plain_server)
    user = factory.user()
    assert client.post("/forgot-password", data={"email": user.email}).status_code == 200
    finish_sending(app)  # the reply does not wait for SMTP
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [user.email]
    assert b"/set-password/reset/" in envelope.original_content
