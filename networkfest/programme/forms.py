"""The organiser's schedule upload form: the file, and whether to only check it or publish it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField


class ScheduleUploadForm(FlaskForm):
    file = FileField(
        "Schedule file (.toml)",
        validators=[
            FileRequired("Choose a schedule file to upload."),
            FileAllowed(["toml"], "Upload a .toml schedule file."),
        ],
    )
    check = SubmitField("Check only")
    publish = SubmitField("Check and publish")
