"""`networkfest user …`: create the first organiser, invite people, issue personal tokens."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from networkfest.accounts import services
from networkfest.accounts.links import password_link
from networkfest.accounts.models import User
from networkfest.accounts.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from networkfest.context import now
from networkfest.extensions import db

user = AppGroup("user", help="Manage accounts.")


def _existing(email: str) -> User:
    found = services.user_by_email(db.session, email)
    if found is None:
        raise click.ClickException(f"No account with the e-mail address {email}.")
    return found


def _check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long.",
            param_hint="password",
        )
    return password


def stdin_is_terminal() -> bool:
    """Someone is there to type a password (not a script or a pipe)."""
    return sys.stdin.isatty()


@user.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as others will see it.")
@click.option("--password", help="Their password; prompted for when left out on a terminal.")
@click.option("--organiser", is_flag=True, help="Give the account the organiser role.")
def create(email: str, name: str, password: str | None, organiser: bool) -> None:
    """Create an account. Without a password (and no terminal), print a set-password link."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    if not name.strip() or len(name.strip()) > 120:
        raise click.BadParameter("give a name of 1 to 120 characters.", param_hint="--name")
    if password is None and stdin_is_terminal():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password is not None:
        _check_password(password)
    try:
        account = services.create_user(db.session, email, name, password, now(), organiser)
    except services.DuplicateEmail as error:
        raise click.ClickException(str(error)) from error
    role = "organiser" if account.organiser else "attendee"
    click.echo(f"Created {account.email} ({role}).")
    if account.invited:
        click.echo("They choose their password with this link:")
        click.echo(password_link(account, "invite"))


@user.command("link")
@click.argument("email")
def link(email: str) -> None:
    """Print a set-password link: an invitation for a host who has not claimed their account."""
    account = _existing(email)
    click.echo(password_link(account, "invite" if account.invited else "reset"))


@user.command("token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What it is for.")
def token(email: str, name: str) -> None:
    """Create a personal API token; it is printed alone on the last line, once."""
    if not name.strip() or len(name.strip()) > 80:
        raise click.BadParameter("give a name of 1 to 80 characters.", param_hint="--name")
    account = _existing(email)
    raw = services.create_api_token(db.session, account, name, now())
    click.echo(f"New personal API token for {account.email} (shown once; keep it secret):")
    click.echo(raw)
