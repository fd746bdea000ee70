"""The privacy notice, the download of one's data and the deletion of one's account."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from networkfest.accounts.forms import FORM_STATUS, DeleteAccountForm
from networkfest.accounts.services import check_password
from networkfest.authz import SIGNED_IN, require
from networkfest.context import now
from networkfest.extensions import db
from networkfest.privacy import services

bp = Blueprint("privacy", __name__)


def _render(template: str, status: int = 200, **context: object) -> BaseResponse:
    return Response(render_template(template, **context), status=status, mimetype="text/html")


@bp.get("/me/data.json")
@require(SIGNED_IN)
def download_data() -> BaseResponse:
    data = services.export_user_data(db.session, current_user._get_current_object())
    response = jsonify(data)
    response.headers["Content-Disposition"] = 'attachment; filename="networkfest-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@require(SIGNED_IN)
def delete_account() -> BaseResponse:
    form = DeleteAccountForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if check_password(user, form.password.data):
            services.delete_account(db.session, user, now())
            logout_user()
            flash("Your account and your personal data have been deleted.", "success")
            return redirect(url_for("programme.schedule"))
        form.password.errors = ["That is not your password."]
    status = FORM_STATUS if form.is_submitted() else 200
    return _render("privacy/delete.html", status, form=form)


@bp.get("/privacy")
def notice() -> BaseResponse:
    return _render("privacy/notice.html")
