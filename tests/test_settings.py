"""Production refuses unsafe settings at start; development, tests and the demo do not."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from networkfest.config import production_problems, settings_from_environment
from networkfest.serving import serve_at

GOOD_SECRET = "0123456789abcdef" * 4
ROOT = Path(__file__).resolve().parents[1]


def problems(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> list[str]:
    for name in ("SECRET_KEY", "MAIL_BACKEND", "TRUSTED_PROXIES", "BASE_URL", "ENV", "TESTING"):
        monkeypatch.delenv(f"NETWORKFEST_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"NETWORKFEST_{name}", value)
    return production_problems(settings_from_environment(str(tmp_path)))


def test_safe_production_settings_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    safe = {
        "SECRET_KEY": GOOD_SECRET,
        "MAIL_BACKEND": "smtp",
        "TRUSTED_PROXIES": "1",
        "BASE_URL": "https://festival.example.org",
    }
    assert problems(monkeypatch, tmp_path, **safe) == []


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"MAIL_BACKEND": "smtp"}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "change-me", "MAIL_BACKEND": "smtp"}, "example value"),
        ({"SECRET_KEY": "short", "MAIL_BACKEND": "smtp"}, "example value"),
        ({"SECRET_KEY": GOOD_SECRET}, "MAIL_BACKEND is `console`"),
        (
            {
                "SECRET_KEY": GOOD_SECRET,
                "MAIL_BACKEND": "smtp",
                "TRUSTED_PROXIES": "1",
                "BASE_URL": "http://festival.example.org",
            },
            "must be https://",
        ),
    ],
)
def test_each_unsafe_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], fragment: str
) -> None:
    found = problems(monkeypatch, tmp_path, **env)
    assert len(found) == 1 and fragment in found[0]


def test_development_is_exempt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert problems(monkeypatch, tmp_path, ENV="development") == []


def test_the_generated_key_file_is_private_from_the_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NETWORKFEST_SECRET_KEY", raising=False)
    monkeypatch.delenv("NETWORKFEST_TESTING", raising=False)
    first = settings_from_environment(str(tmp_path))["SECRET_KEY"]
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings_from_environment(str(tmp_path))["SECRET_KEY"] == first


def test_networkfest_run_refuses_and_says_why(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NETWORKFEST_") and not key.startswith("FLASK_")
    }
    env["NETWORKFEST_DATABASE_URL"] = f"sqlite:///{tmp_path / 'refused.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "networkfest", "run", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "will not serve" in result.stderr
    assert "MAIL_BACKEND is `console`" in result.stderr
    assert "NETWORKFEST_ENV=development" in result.stderr


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "http://127.0.0.1:5077"),
        ("0.0.0.0", "http://127.0.0.1:5077"),
        ("::", "http://127.0.0.1:5077"),
        ("::1", "http://[::1]:5077"),
        ("festival.local", "http://festival.local:5077"),
    ],
)
def test_a_server_without_a_base_url_is_reached_where_it_serves(
    app, monkeypatch: pytest.MonkeyPatch, host: str, address: str
) -> None:
    """`networkfest run --port 5077` and `networkfest demo --port 5077`: links and the live
    room's accepted origin follow the port, with nothing else to set."""
    monkeypatch.delenv("NETWORKFEST_BASE_URL", raising=False)
    assert serve_at(app, host, 5077) == address == app.config["BASE_URL"]


def test_a_base_url_that_is_set_is_kept(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETWORKFEST_BASE_URL", "https://festival.example.org")
    app.config["BASE_URL"] = "https://festival.example.org"
    assert serve_at(app, "127.0.0.1", 5077) == "https://festival.example.org"


def test_the_live_room_accepts_the_address_it_is_given_after_start(
    app, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Engine.IO checks a browser's Origin against the address as it is at the handshake."""
    monkeypatch.delenv("NETWORKFEST_BASE_URL", raising=False)
    handshake = "/socket.io/?EIO=4&transport=polling"
    assert client.get(handshake, headers={"Origin": "http://127.0.0.1:5077"}).status_code == 400
    serve_at(app, "127.0.0.1", 5077)
    assert client.get(handshake, headers={"Origin": "http://127.0.0.1:5077"}).status_code == 200
    assert client.get(handshake, headers={"Origin": "http://localhost:5077"}).status_code == 200
    assert client.get(handshake, headers={"Origin": "https://evil.example"}).status_code == 400
    # A client that is not a browser sends no Origin: nothing to check.
    assert client.get(handshake).status_code == 200
