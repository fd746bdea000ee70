"""The peers page's one form: choose to stay in touch, or stop sharing (CSRF on both)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf

SHARE = "share"
STOP = "stop"


class ChoiceForm(FlaskForm):
    choice = HiddenField(
        validators=[AnyOf([SHARE, STOP], message="Choose to share your details or to stop.")]
    )
