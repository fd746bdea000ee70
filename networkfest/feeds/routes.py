"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint, abort

bp = Blueprint("feeds", __name__)


@bp.route("/schedule.ics")
def schedule_ics():
    abort(404)
