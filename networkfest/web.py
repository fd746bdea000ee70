"""Wire extensions, blueprints, Socket.IO namespaces and CLI commands onto an app."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from socketio import Manager
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.local import LocalProxy
from werkzeug.middleware.proxy_fix import ProxyFix

from networkfest import (
    authz,
    commands,
    errors,
    fanout,
    formatting,
    jobs,
    models,
    pagecache,
    queue_health,
    security,
)
from networkfest.accounts import auth
from networkfest.accounts import jobs as accounts_jobs
from networkfest.accounts.routes import bp as accounts_bp
from networkfest.api import routes as api_routes
from networkfest.api.blueprint import bp as api_bp
from networkfest.api.openapi import bp as openapi_bp
from networkfest.audit.routes import bp as audit_bp
from networkfest.clock import OffsetClock, SystemClock
from networkfest.commitments.routes import bp as commitments_bp
from networkfest.config import PROJECT_ROOT
from networkfest.database import configure_engine
from networkfest.extensions import csrf, db, limiter, login_manager, migrate, socketio
from networkfest.feeds.routes import bp as feeds_bp
from networkfest.festival_day.routes import bp as festival_day_bp
from networkfest.insights.routes import bp as insights_bp
from networkfest.insights.sockets import FeedbackEvents
from networkfest.live import evidence as live_evidence
from networkfest.live import receivers as live_receivers
from networkfest.live.routes import bp as live_bp
from networkfest.live.sockets import LiveNamespace
from networkfest.message_queue import RedisQueue
from networkfest.notifications import jobs as notifications_jobs
from networkfest.notifications import receivers as notifications_receivers
from networkfest.notifications.routes import bp as notifications_bp
from networkfest.outcomes.routes import bp as outcomes_bp
from networkfest.peers.routes import bp as peers_bp
from networkfest.polls import jobs as polls_jobs
from networkfest.polls import receivers as polls_receivers
from networkfest.polls.routes import bp as polls_bp
from networkfest.polls.sockets import current_polls
from networkfest.privacy.routes import bp as privacy_bp
from networkfest.programme import queries as programme_queries
from networkfest.programme import rights as programme_rights
from networkfest.programme.models import Festival
from networkfest.programme.queries import current_festival
from networkfest.programme.routes import bp as programme_bp
from networkfest.qa.sockets import current_questions
from networkfest.realtime.protocol import NAMESPACE
from networkfest.realtime.ratelimit import MEMORY, storage
from networkfest.registration import receivers as registration_receivers
from networkfest.registration import rights as registration_rights
from networkfest.registration.routes import bp as registration_bp
from networkfest.scaling import check_message_queue
from networkfest.testing import bp as testing_bp
from networkfest.timing import jobs as timing_jobs
from networkfest.timing.routes import bp as timing_bp

# Imported for what they register: every model on the metadata, the API's routes.
__all__ = ["api_routes", "models"]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, unchanged, except for two costs paid on every request
    and every live event (each pushes a request context):
    - the signing serializer is built once per set of keys instead of every time: it holds
      no per-request state, and building it was about 7% of a feed 304's CPU;
    - a request without the cookie gets its empty session without werkzeug raising and
      catching a `BadRequestKeyError` to say so: 4.7% of a join storm's CPU, where clients
      sign in with a token and send no cookie (docs/benchmarks.md)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if self.get_cookie_name(app) not in request.cookies:
            return None if self.get_signing_serializer(app) is None else self.session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def init_app(app: Flask) -> None:
    app.extensions["networkfest.clock"] = (
        OffsetClock() if app.config["TEST_CLOCK"] else (app.config.get("CLOCK") or SystemClock())
    )

    app.session_interface = SessionInterface()
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_STORAGE_OPTIONS"] = storage(
        app.config.get("RATELIMIT_STORAGE_URI") or MEMORY
    )
    limiter.init_app(app)
    # The limiter is one object for every app in the process (the routes' decorators hold
    # it); a new app's storage is new, so it starts healthy whatever an earlier app's did.
    limiter._storage_dead = False
    auth.init_app(app, login_manager)
    security.init_app(app)
    errors.init_app(app)
    register_template_helpers(app)

    for blueprint in (
        festival_day_bp,
        programme_bp,
        feeds_bp,
        accounts_bp,
        registration_bp,
        live_bp,
        polls_bp,
        outcomes_bp,
        peers_bp,
        timing_bp,
        insights_bp,
        commitments_bp,
        notifications_bp,
        privacy_bp,
        audit_bp,
        api_bp,
        openapi_bp,
    ):
        app.register_blueprint(blueprint)

    if app.config["TEST_CLOCK"]:
        app.register_blueprint(testing_bp)

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        """For load balancers: 200 when the database answers, 503 when it does not."""
        try:
            db.session.execute(text("SELECT 1"))
        except (OperationalError, InterfaceError):
            db.session.rollback()
            return {"status": "unavailable"}, 503
        return {"status": "ok"}, 200

    # Always a fresh manager: the SocketIO object is shared by every app this process
    # builds, and would otherwise keep the previous app's.
    client_manager: Manager = Manager()
    if app.config["MESSAGE_QUEUE"]:
        # Flask-SocketIO would only log and broadcast locally: refuse to start instead.
        check_message_queue(app.config["MESSAGE_QUEUE"])
        client_manager = RedisQueue(app.config["MESSAGE_QUEUE"])
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        client_manager=client_manager,
        cors_allowed_origins=security.origin_check(app),
        max_http_buffer_size=64_000,
        manage_session=True,
    )
    socketio.on_namespace(LiveRoom(NAMESPACE))
    trust_proxies(app)
    fanout.init_app(app)
    fanout.add_refresher(app, "question", current_questions(app))
    fanout.add_refresher(app, "poll", current_polls(app))
    connect_slices(app)
    jobs.init_app(app)
    queue_health.init_app(app)
    commands.register(app)


def trust_proxies(app: Flask) -> None:
    """Behind N proxies (NETWORKFEST_TRUSTED_PROXIES), believe the N nearest forwarded
    headers, so rate limits, the audit log and `request.remote_addr` see the client. With 0
    (the default) no forwarded header is ever trusted: anyone could choose their address."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        # Outermost, around Flask-SocketIO's middleware too: live handshakes see the client.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


class LiveRoom(FeedbackEvents, LiveNamespace):
    """The `/live` namespace with the events of the slices above `live` (feedback)."""


def connect_slices(app: Flask) -> None:
    """Each slice declares its rights, connects its receivers and registers its jobs."""
    programme_rights.declare_rights()
    registration_rights.declare_rights()
    live_evidence.declare()
    auth.connect()
    programme_queries.connect()
    registration_receivers.connect()
    polls_receivers.connect()
    live_receivers.connect()
    notifications_receivers.connect()
    jobs.connect()
    accounts_jobs.register(app)
    timing_jobs.register(app)
    polls_jobs.register(app)
    notifications_jobs.register(app)


def _migrations_dir() -> object:
    return PROJECT_ROOT / "migrations"


def register_template_helpers(app: Flask) -> None:
    def _read_festival() -> Festival | None:
        if "festival" not in g:
            try:
                g.festival = current_festival(db.session)
            except (OperationalError, InterfaceError):
                # The error page itself must render while the database is away.
                db.session.rollback()
                g.festival = None
        festival: Festival | None = g.festival
        return festival

    @app.context_processor
    def _festival() -> dict[str, object]:
        """Read when a template first uses it, once per request: a signed-in reader's
        personal parts are each a template of their own, and none of them shows it."""
        return {"festival": LocalProxy(_read_festival)}

    app.add_template_global(pagecache.personal, "personal")
    app.add_template_global(authz.holds, "holds")
    app.add_template_filter(formatting.festival_time, "festival_time")
    app.add_template_filter(formatting.festival_datetime, "festival_datetime")
    app.add_template_filter(formatting.day_label, "day_label")
    app.add_template_filter(formatting.iso, "iso")
    app.add_template_filter(formatting.how_many, "how_many")
