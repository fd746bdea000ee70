"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint, abort

bp = Blueprint("registration", __name__)


@bp.route("/me/agenda")
def agenda():
    abort(404)
