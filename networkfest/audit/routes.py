"""The audit log page: what organisers and hosts did, newest first, for organisers."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from networkfest.audit import rules, services
from networkfest.authz import ORGANISER, require
from networkfest.extensions import db

bp = Blueprint("audit", __name__)

PER_PAGE = 50


@bp.get("/organiser/audit")
@require(ORGANISER)
def log() -> str:
    """`?action=<action>` filters, `?page=<n>` pages; unknown values fall back to all, page 1."""
    known = services.actions(db.session)
    action = request.args.get("action", "")
    if action not in known:
        action = ""
    page = request.args.get("page", 1, type=int) or 1
    result = services.entries(db.session, action=action, page=page, per_page=PER_PAGE)
    return render_template(
        "audit/log.html",
        log=result,
        actions=[(name, rules.action_label(name)) for name in known],
        action_label=rules.action_label,
        detail_lines=rules.detail_lines,
    )
