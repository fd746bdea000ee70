"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint, abort

bp = Blueprint("programme", __name__)


@bp.route("/schedule")
def schedule():
    abort(404)


@bp.route("/schedule/changes")
def changes():
    abort(404)
