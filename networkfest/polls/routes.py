"""The hosts' CSV of a session's polls."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from networkfest.authz import HOST_OF_SESSION, require
from networkfest.extensions import db
from networkfest.polls import services
from networkfest.programme.queries import session_by_slug

bp = Blueprint("polls", __name__)


@bp.get("/sessions/<slug>/polls.csv")
@require(HOST_OF_SESSION, "Only this session's hosts and organisers can export its polls.")
def polls_csv(slug: str) -> Response:
    """Every poll the session has run so far, one row per option, counts included."""
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        abort(404)
    return Response(
        services.polls_csv(db.session, festival_session),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{festival_session.slug}-polls.csv"'
        },
    )
