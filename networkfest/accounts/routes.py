"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint, abort

bp = Blueprint("accounts", __name__)


@bp.route("/login")
def login():
    abort(404)


@bp.route("/signup")
def signup():
    abort(404)


@bp.route("/logout")
def logout():
    abort(404)


@bp.route("/me")
def profile():
    abort(404)


@bp.route("/privacy")
def privacy():
    abort(404)


@bp.route("/set-password/<purpose>/<token>")
def set_password(purpose, token):
    abort(404)
