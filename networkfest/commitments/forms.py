"""The commitments' forms (Flask-WTF: CSRF on every one); the rules check again on the server."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from networkfest.commitments.rules import (
    ANSWER_LABELS,
    ANSWERS,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
)


class CommitmentTextForm(FlaskForm):
    text = TextAreaField(
        "Your commitment",
        validators=[
            InputRequired("Please write what you will do differently."),
            Length(
                max=MAX_TEXT_LENGTH,
                message=f"Please keep your commitment to {MAX_TEXT_LENGTH} characters.",
            ),
        ],
    )


class AnswerForm(FlaskForm):
    """How it went: the page's three buttons and the follow-up link's confirmation."""

    answer = RadioField(
        "How did it go?",
        choices=[SelectChoice(str(answer), ANSWER_LABELS[answer]) for answer in ANSWERS],
        validators=[InputRequired("Please choose done, partly or not yet.")],
    )
    note = TextAreaField(
        "A note (optional)",
        validators=[
            Length(
                max=MAX_NOTE_LENGTH,
                message=f"Please keep your note to {MAX_NOTE_LENGTH} characters.",
            )
        ],
    )


class FollowUpMailsForm(FlaskForm):
    follow_up_mails = BooleanField("E-mail me follow-ups")
