"""`networkfest schedule check|publish`: output and exit codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from networkfest.extensions import db
from networkfest.programme.models import ScheduleVersion
from tests.programme.schedules import schedule, session


def write(tmp_path: Path, text: str, name: str = "fest.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_passes_a_good_file(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["schedule", "check", write(tmp_path, schedule())])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings. 1 session, ready to publish." in result.output


def test_check_passes_with_warnings_only(runner, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["schedule", "check", write(tmp_path, schedule(session(minutes=40)))]
    )
    assert result.exit_code == 0
    assert "warning: session 'alpha', agenda: the run sheet takes 30 minutes" in result.output
    assert "0 errors, 1 warning." in result.output


def test_check_fails_and_lists_every_error(runner, tmp_path: Path) -> None:
    bad = schedule(session(theme="joy"), session("beta", minutes=0))
    result = runner.invoke(args=["schedule", "check", write(tmp_path, bad)])
    assert result.exit_code == 1
    assert "error: session 'alpha', theme: 'joy' is not one of" in result.output
    assert "error: session 'beta', minutes: must be more than 0" in result.output
    assert "Not ready to publish." in result.output


def test_check_reports_a_start_in_year_9999_without_a_traceback(runner, tmp_path: Path) -> None:
    path = write(tmp_path, schedule(session(starts="9999-12-31T23:59:00")))
    result = runner.invoke(args=["schedule", "check", path])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert (
        "error: session 'alpha', starts: the session falls outside the festival's days "
        "(2026-09-21 to 2026-09-25, Europe/London)" in result.output
    )
    assert "Not ready to publish." in result.output


def test_check_reports_toml_syntax_errors(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["schedule", "check", write(tmp_path, "[festival\n")])
    assert result.exit_code == 1
    assert "error: file: not valid TOML" in result.output and "line 1" in result.output


def test_check_refuses_a_missing_file(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["schedule", "check", str(tmp_path / "none.toml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_check_refuses_a_file_that_is_not_utf8(runner, tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b"\xff\xfe[festival]")
    result = runner.invoke(args=["schedule", "check", str(path)])
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.output


def test_publish_prints_the_version_changes_and_invite_links(app, runner, tmp_path: Path) -> None:
    path = write(tmp_path, schedule(session(hosts='["amira.hassan@example.org"]')))
    result = runner.invoke(args=["schedule", "publish", path])
    assert result.exit_code == 0, result.output
    assert "Published version 1 with 1 change:" in result.output
    assert "  Added: Alpha session" in result.output
    assert (
        "Invited host Amira Hassan <amira.hassan@example.org>: http://localhost/" in result.output
    )

    again = runner.invoke(args=["schedule", "publish", path])
    assert again.exit_code == 0
    assert "No changes since the last published version" in again.output
    assert len(db.session.scalars(select(ScheduleVersion)).all()) == 1


def test_publish_counts_several_changes_in_the_plural(app, runner, tmp_path: Path) -> None:
    two = schedule(session(), session("beta", starts="2026-09-22T10:00:00"))
    result = runner.invoke(args=["schedule", "publish", write(tmp_path, two)])
    assert result.exit_code == 0, result.output
    assert "Published version 1 with 2 changes:" in result.output
    assert "Hosts: 1 host invited, 0 existing accounts attached" in result.output


def test_publish_refuses_a_file_with_errors(app, runner, tmp_path: Path) -> None:
    path = write(tmp_path, schedule(session(theme="joy")))
    result = runner.invoke(args=["schedule", "publish", path])
    assert result.exit_code == 1
    assert "Nothing was published." in result.output
    assert db.session.scalars(select(ScheduleVersion)).all() == []
