"""The notices banner on every page, and dismissing a notice."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from networkfest import context, pagecache
from networkfest.authz import SIGNED_IN, require
from networkfest.extensions import db
from networkfest.notifications import notices
from networkfest.notifications.models import Notice
from networkfest.programme.published import PublishedProgramme
from networkfest.programme.routes import add_schedule_etag_part

bp = Blueprint("notifications", __name__)


def _reader_notices() -> list[Notice]:
    """The signed-in reader's unseen notices, read once per request: the programme's ETag
    and the banner both need them. A visitor has none."""
    if not current_user.is_authenticated:
        return []
    if "unseen_notices" not in g:
        g.unseen_notices = notices.unseen_notices(db.session, current_user.id)
    unseen: list[Notice] = g.unseen_notices
    return unseen


def _notices_part(_: str) -> str:
    """Every page's banner of the signed-in person's unseen notices."""
    return render_template("_notices.html") if current_user.is_authenticated else ""


def _notices_etag_part(_programme: PublishedProgramme) -> str:
    """A notice given or dismissed changes the programme's ETag: a browser revalidating its
    copy then gets the page with the banner as it is now, not a 304."""
    return ",".join(str(notice.id) for notice in _reader_notices())


@bp.record_once
def _add_notices_part(state: BlueprintSetupState) -> None:
    pagecache.add_part(state.app, "notices", _notices_part)
    add_schedule_etag_part(state.app, _notices_etag_part)


@bp.app_context_processor
def _notices() -> dict[str, Callable[[], list[Notice]]]:
    """`my_notices()` for the banner partial; it only queries when a page shows the banner."""
    return {"my_notices": _reader_notices}


@bp.post("/notices/<int:notice_id>/seen")
@require(SIGNED_IN)
def notice_seen(notice_id: int) -> BaseResponse:
    if not notices.mark_notice_seen(db.session, notice_id, current_user.id, context.now()):
        abort(404, description="There is no such notice for you.")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("programme.schedule")
    return redirect(target, 303)
