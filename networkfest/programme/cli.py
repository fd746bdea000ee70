"""`networkfest schedule check|publish FILE`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from flask.cli import with_appcontext

from networkfest.accounts.links import password_link
from networkfest.context import now
from networkfest.extensions import db
from networkfest.formatting import how_many
from networkfest.programme.changes import describe_change
from networkfest.programme.rules import Problem, check
from networkfest.programme.services import publish


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
    return f"{how_many(errors, 'error')}, {how_many(warnings, 'warning')}"


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
        f"{how_many(len(result.schedule.sessions), 'session')}, ready to publish."
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
    click.echo(
        f"Published version {result.version} with {how_many(len(result.changes), 'change')}:"
    )
    for change in result.changes:
        click.echo(f"  {describe_change(change)}")
    click.echo(f"Hosts: {result.hosts_summary}.")
    for user in result.invited + result.reinvited:
        click.echo(f"Invited host {user.name} <{user.email}>: {password_link(user, 'invite')}")
