"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint, abort

bp = Blueprint("insights", __name__)


@bp.route("/organiser/insights")
def dashboard():
    abort(404)
