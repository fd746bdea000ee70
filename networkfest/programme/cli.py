"""PLACEHOLDER: replaced by the programme helper (schedule check/publish, demo)."""

import click


@click.group("schedule")
def schedule() -> None:
    """Check and publish the programme."""


@click.command("demo")
def demo() -> None:
    """Serve the demo festival."""
