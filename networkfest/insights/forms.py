"""The one-minute feedback form; the rules module checks the answer again on the server."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from networkfest.insights.rules import MAX_DIFFERENT_LENGTH, WORTH_CHOICES

STAY_IN_TOUCH_LABEL = (
    "Let others from this session who also choose this see my name, organisation and e-mail"
)
WORTH_LABELS = {
    1: "1: not at all",
    2: "2",
    3: "3",
    4: "4",
    5: "5: very much",
}


class FeedbackForm(FlaskForm):
    worth = RadioField(
        "Was this session worth your time?",
        choices=[SelectChoice(str(score), WORTH_LABELS[score]) for score in WORTH_CHOICES],
        coerce=int,
        validators=[InputRequired("Please rate the session from 1 to 5.")],
    )
    different = TextAreaField(
        "What will you do differently?",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Length(
                max=MAX_DIFFERENT_LENGTH,
                message=f"Please keep this to {MAX_DIFFERENT_LENGTH} characters.",
            )
        ],
    )
    follow_up = RadioField(
        "Would you join a follow-up?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired("Please say whether you would join a follow-up.")],
    )
    stay_in_touch = BooleanField(STAY_IN_TOUCH_LABEL)
