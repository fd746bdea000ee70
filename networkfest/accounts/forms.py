"""Account forms (Flask-WTF: CSRF on every one), with messages people can act on."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from networkfest.accounts.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

NAME = [
    DataRequired("Enter your name, as other people will see it."),
    Length(max=120, message="Keep your name to 120 characters or fewer."),
]
EMAIL = [
    DataRequired("Enter your e-mail address."),
    Length(max=254, message="That e-mail address is too long."),
    Email("Enter an e-mail address in the right format, like name@example.org."),
]
NEW_PASSWORD = [
    DataRequired("Choose a password."),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=MAX_PASSWORD_LENGTH,
        message=f"Your password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters "
        "long. A few unrelated words make a good one.",
    ),
]

# A form sent back with errors answers 400, so scripts and tests see the refusal.
FORM_STATUS = 400


def _strip(value: object) -> object:
    """People paste addresses and names with stray spaces; they are not part of the value."""
    return value.strip() if isinstance(value, str) else value


CONFIRM = [
    DataRequired("Type your new password again."),
    EqualTo("password", message="The two passwords do not match."),
]


class SignupForm(FlaskForm):
    name = StringField("Your name", validators=NAME, filters=[_strip])
    email = EmailField("E-mail address", validators=EMAIL, filters=[_strip])
    password = PasswordField("Password", validators=NEW_PASSWORD)
    confirm = PasswordField("Password again", validators=CONFIRM)


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(max=254, message="That e-mail address is too long."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=MAX_PASSWORD_LENGTH, message="That password is too long."),
        ],
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL, filters=[_strip])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=NEW_PASSWORD)
    confirm = PasswordField("New password again", validators=CONFIRM)


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=MAX_PASSWORD_LENGTH, message="That password is too long."),
        ],
    )
    password = PasswordField("New password", validators=NEW_PASSWORD)
    confirm = PasswordField("New password again", validators=CONFIRM)


class ProfileForm(FlaskForm):
    name = StringField("Your name", validators=NAME, filters=[_strip])
    # Optional: the line people who chose to stay in touch see beside the name.
    organisation = StringField(
        "Organisation (optional)",
        validators=[Length(max=120, message="Keep your organisation to 120 characters or fewer.")],
        filters=[_strip],
    )
    role = StringField(
        "Role (optional)",
        validators=[Length(max=120, message="Keep your role to 120 characters or fewer.")],
        filters=[_strip],
    )


class TokenForm(FlaskForm):
    name = StringField(
        "What the token is for",
        id="token-name",  # the profile page also has the name form
        validators=[
            DataRequired("Give the token a name, so you can recognise it later."),
            Length(max=80, message="Keep the name to 80 characters or fewer."),
        ],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password to confirm."),
            Length(max=MAX_PASSWORD_LENGTH, message="That password is too long."),
        ],
    )


class RoleForm(FlaskForm):
    """Give ("1") or take away ("0") the organiser role."""

    organiser = HiddenField(validators=[AnyOf(["0", "1"], message="Choose a role.")])


class EmptyForm(FlaskForm):
    """Buttons that only need CSRF protection (sign out, revoke a token)."""
