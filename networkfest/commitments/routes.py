"""`/me/commitments` (see, edit and answer one's commitments; switch follow-up mails) and the
signed follow-up links' pages: thin handlers over `commitments.services`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from networkfest import context
from networkfest.authz import SIGNED_IN, require
from networkfest.commitments import links, services
from networkfest.commitments.forms import AnswerForm, CommitmentTextForm, FollowUpMailsForm
from networkfest.commitments.rules import (
    ANSWER_LABELS,
    LINK_LIFETIME,
    CommitmentRefused,
    clean_answer,
    clean_note,
    clean_text,
)
from networkfest.errors import error_response
from networkfest.extensions import db

bp = Blueprint("commitments", __name__)

# How each refusal answers: a clear page with a fitting 4xx.
REFUSAL_STATUS = {
    "invalid": 400,
    "too_long": 400,
    "forbidden": 403,
    "not_found": 404,
    "used": 409,
    "expired": 410,
}
Page = str | tuple[str, int] | Response | tuple[Response, int]


@bp.get("/me/commitments")
@require(SIGNED_IN)
def my_commitments() -> str:
    return _page()


@bp.post("/me/commitments/<int:commitment_id>/text")
@require(SIGNED_IN)
def edit_text(commitment_id: int) -> Page:
    mine = _mine_or_404(commitment_id)
    if isinstance(mine, tuple):
        return mine
    form = CommitmentTextForm()
    if not form.validate_on_submit():
        return _page(
            400, errors={commitment_id: _errors(form)}, typed={commitment_id: form.text.data}
        )
    try:
        text = clean_text(form.text.data)
    except CommitmentRefused as refusal:
        return _page(400, errors={commitment_id: {"text": [refusal.message]}})
    services.edit_text(db.session, commitment_id, current_user.id, text, context.now())
    flash("Your commitment is saved.", "success")
    return redirect(url_for("commitments.my_commitments") + f"#commitment-{commitment_id}", 303)


@bp.post("/me/commitments/<int:commitment_id>/answer")
@require(SIGNED_IN)
def answer(commitment_id: int) -> Page:
    mine = _mine_or_404(commitment_id)
    if isinstance(mine, tuple):
        return mine
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(400, errors={commitment_id: _errors(form)})
    try:
        chosen = clean_answer(form.answer.data)
        note = clean_note(form.note.data)
    except CommitmentRefused as refusal:
        return _page(400, errors={commitment_id: {"answer": [refusal.message]}})
    services.answer_commitment(
        db.session, commitment_id, current_user.id, chosen, note, context.now()
    )
    flash(f"Your answer is saved: {ANSWER_LABELS[chosen]}.", "success")
    return redirect(url_for("commitments.my_commitments") + f"#commitment-{commitment_id}", 303)


@bp.post("/me/commitments/follow-up-mails")
@require(SIGNED_IN)
def follow_up_mails() -> Page:
    form = FollowUpMailsForm()
    if not form.validate_on_submit():
        return _page(400)
    on = bool(form.follow_up_mails.data)
    services.set_follow_up_mails(db.session, current_user.id, on)
    flash(
        "We will e-mail you follow-ups." if on else "We will not e-mail you follow-ups.",
        "success",
    )
    return redirect(url_for("commitments.my_commitments"), 303)


@bp.route("/commitments/follow-up/<token>", methods=["GET", "POST"])
def follow_up(token: str) -> Page:
    """A follow-up mail's link. Opening it (as mail scanners do) changes nothing: it shows
    the answer it stands for, preselected, with a note field; only the Confirm button's
    POST saves, once."""
    link = links.read(token)
    if link is None:
        return _link_refused(
            400,
            "This link is not valid",
            "It may have been cut short or changed on its way: try copying the whole link "
            "from the e-mail.",
        )
    now = context.now()
    signed_in = current_user.id if current_user.is_authenticated else None
    target = services.link_target(db.session, link, signed_in, now)
    if target.refusal is not None:
        return _refused(target.refusal)
    assert target.commitment is not None and target.session is not None
    form = AnswerForm()
    if not form.is_submitted():
        form.answer.data = str(link.answer)
    elif form.validate():
        try:
            chosen = clean_answer(form.answer.data)
            note = clean_note(form.note.data)
            services.answer_through_link(db.session, link, signed_in, chosen, note, now)
        except CommitmentRefused as refusal:
            return _refused(refusal)
        return render_template(
            "commitments/follow_up_saved.html",
            answer_label=ANSWER_LABELS[chosen],
            session=target.session,
            signed_in=signed_in is not None,
        )
    return (
        render_template(
            "commitments/follow_up.html",
            form=form,
            commitment=target.commitment,
            session=target.session,
            token=token,
            answer_labels=ANSWER_LABELS,
        ),
        400 if form.errors else 200,
    )


def _page(
    status: int = 200,
    errors: dict[int, dict[str, list[str]]] | None = None,
    typed: dict[int, Any] | None = None,
) -> Any:
    commitments = services.my_commitments(db.session, current_user.id)
    page = render_template(
        "commitments/list.html",
        commitments=commitments,
        mails_on=services.follow_up_mails_on(db.session, current_user.id),
        answer_labels=ANSWER_LABELS,
        errors=errors or {},
        typed=typed or {},
        lifetime_days=LINK_LIFETIME.days,
    )
    return page if status == 200 else (page, status)


def _mine_or_404(commitment_id: int) -> services.MyCommitment | tuple[Response, int]:
    try:
        return services.my_commitment(db.session, commitment_id, current_user.id)
    except CommitmentRefused as refusal:
        return error_response(404, refusal.message)


def _errors(form: Any) -> dict[str, list[str]]:
    return {name: list(messages) for name, messages in form.errors.items()}


def _refused(refusal: CommitmentRefused) -> tuple[str, int]:
    titles = {
        "used": "This link has been used",
        "expired": "This link has expired",
        "forbidden": "This link is for someone else",
        "not_found": "This commitment is not there any more",
    }
    return _link_refused(
        REFUSAL_STATUS.get(refusal.code, 400),
        titles.get(refusal.code, "This answer could not be saved"),
        refusal.message,
    )


def _link_refused(status: int, title: str, message: str) -> tuple[str, int]:
    return (
        render_template(
            "commitments/link_refused.html",
            title=title,
            message=message,
            lifetime_days=LINK_LIFETIME.days,
        ),
        status,
    )
