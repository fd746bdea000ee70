"""`networkfest demo`: serve the demo festival."""

from __future__ import annotations

import click
import flask_migrate
from flask.cli import ScriptInfo

from networkfest.config import PROJECT_ROOT
from networkfest.context import now
from networkfest.demo.services import prepare_demo
from networkfest.extensions import db
from networkfest.programme.cli import echo_problems, read_schedule
from networkfest.serving import serve, serve_at

DEMO_FILE = PROJECT_ROOT / "schedule" / "networkfest-2026.toml"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def demo(host: str, port: int) -> None:
    """Serve the demo festival, moved so that a session is live now."""
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    # Every page says it is a demo (templates/_demo_banner.html).
    app.config["DEMO"] = True
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
        record = result.record
        click.echo(
            f"Made the demo's record ({record.sessions} sessions already over): "
            f"{record.registrations} registrations, {record.stays} stays in the rooms, "
            f"{record.questions} questions, {record.votes} votes, {record.moves} run-sheet "
            f"moves, {record.feedback} answers to the feedback form."
        )
        base = serve_at(app, host, port)
        if result.live_session:
            click.echo(f"Live now: {base}/sessions/{result.live_session}/live")
        if result.next_session:
            click.echo(f"Starting in a few minutes: {base}/sessions/{result.next_session}")
        if result.host_next_session:
            click.echo(f"The host's next session: {base}/sessions/{result.host_next_session}")
        click.echo(f"Sign in at {base}/login as:")
        for account in result.accounts:
            click.echo(f"  {account.role:<9} {account.email}  password: {account.password}")
    serve(app, host, port)
