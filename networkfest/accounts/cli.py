"""PLACEHOLDER: replaced by the accounts helper (user create, user token)."""

import click


@click.group("user")
def user() -> None:
    """Manage accounts."""
