"""`networkfest schedule check|publish FILE` and `networkfest demo`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
import flask_migrate
from flask.cli import ScriptInfo, with_appcontext

from networkfest import PROJECT_ROOT
from networkfest.accounts.links import password_link
from networkfest.cli import serve
from networkfest.context import now
from networkfest.extensions import db
from networkfest.programme.rules import Problem, check, describe_change
from networkfest.programme.services import prepare_demo, publish

DEMO_FILE = PROJECT_ROOT / "schedule" / "networkfest-2026.toml"


def read_schedule(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path} is not UTF-8 text: {error}") from error


def echo_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


@click.group("schedule")
def schedule() -> None:
    """Check and publish the programme from a schedule file."""


@schedule.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(file: Path) -> None:
    """Report every problem in FILE; exit 1 if any is an error (warnings alone pass)."""
    result = check(read_schedule(file))
    echo_problems(result.problems)
    if not result.ok:
        click.echo(f"{file}: {summary(result.problems)}. Not ready to publish.", err=True)
        raise SystemExit(1)
    assert result.schedule is not None
    click.echo(
        f"{file}: {summary(result.problems)}. "
        f"{len(result.schedule.sessions)} sessions, ready to publish."
    )


@schedule.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def publish_command(file: Path) -> None:
    """Check FILE, then publish it as a new schedule version (all or nothing)."""
    result = publish(db.session, read_schedule(file), now())
    echo_problems(result.problems)
    if not result.ok:
        click.echo(f"{file}: {summary(result.problems)}. Nothing was published.", err=True)
        raise SystemExit(1)
    if result.version is None:
        click.echo("No changes since the last published version: nothing to publish.")
        return
    click.echo(f"Published version {result.version} with {len(result.changes)} changes:")
    for change in result.changes:
        click.echo(f"  {describe_change(change)}")
    for user in result.invited:
        click.echo(f"Invited host {user.name} <{user.email}>: {password_link(user, 'invite')}")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def demo(host: str, port: int) -> None:
    """Serve the demo festival, moved so that a session is live now."""
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        flask_migrate.upgrade()
        result = prepare_demo(db.session, read_schedule(DEMO_FILE), now())
        echo_problems(result.publish.problems)
        if not result.publish.ok:
            raise click.ClickException("The demo programme did not publish.")
        version = result.publish.version
        click.echo(
            f"Published the demo programme as version {version}."
            if version
            else "The demo programme is already up to date."
        )
        base = f"http://{host}:{port}"
        if result.live_session:
            click.echo(f"Live now: {base}/sessions/{result.live_session}/live")
        if result.next_session:
            click.echo(f"Starting in a few minutes: {base}/sessions/{result.next_session}")
        click.echo(f"Sign in at {base}/login as:")
        for account in result.accounts:
            click.echo(f"  {account.role:<9} {account.email}  password: {account.password}")
    serve(app, host, port)
