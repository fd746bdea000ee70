"""Account pages: sign up, sign in and out, passwords, profile and tokens, privacy, roles."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from networkfest import pagecache
from networkfest.accounts import services
from networkfest.accounts.forms import (
    FORM_STATUS,
    ChangePasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RoleForm,
    SetPasswordForm,
    SignupForm,
    TokenForm,
)
from networkfest.accounts.links import password_link, verification_link
from networkfest.accounts.models import User
from networkfest.accounts.rules import (
    LINK_PURPOSES,
    account_state,
    normalise_email,
    organiser_refusal,
    safe_next,
)
from networkfest.accounts.tokens import read_link
from networkfest.authz import ORGANISER, SIGNED_IN, VERIFIED, require
from networkfest.context import now
from networkfest.errors import MESSAGES, error_response
from networkfest.extensions import db, limiter
from networkfest.links import absolute
from networkfest.mail import send_later

bp = Blueprint("accounts", __name__)


def _account_nav(_: str) -> str:
    return render_template("accounts/_nav.html")


def _csrf_meta(_: str) -> str:
    """The token the live room's and the pages' scripts post with; signed-in people only."""
    if not current_user.is_authenticated:
        return ""
    return Markup('<meta name="csrf-token" content="{}">').format(generate_csrf())


@bp.record_once
def _add_personal_parts(state: BlueprintSetupState) -> None:
    pagecache.add_part(state.app, "account_nav", _account_nav)
    pagecache.add_part(state.app, "csrf_meta", _csrf_meta)


# Overridable per deployment (and per test) with the ACCOUNTS_RATE_LIMITS setting.
RATE_LIMITS = {
    "login_address": "10 per minute",
    "login_account": "5 per minute",
    "signup": "10 per hour",
    "forgot_address": "10 per hour",
    "forgot_account": "3 per hour",
    "token": "10 per hour",
    "verify": "3 per hour",
}
TOO_MANY_LOGINS = (
    "Too many sign-in attempts. For your safety we have paused sign-in for this account "
    "and address: please wait a minute and try again."
)


def _limit(name: str) -> Callable[[], str]:
    return lambda: current_app.config.get("ACCOUNTS_RATE_LIMITS", {}).get(name, RATE_LIMITS[name])


def _posted_email() -> str:
    """Limits per account are keyed on the address typed, however it was capitalised."""
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _failed(response: Response) -> bool:
    """Only failed sign-ins count, so people who sign in often are never locked out."""
    return response.status_code >= 400


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded) -> tuple[Response, int] | BaseResponse:
    """Say it in the form people were filling in, not on a separate page."""
    if request.endpoint == "accounts.login":
        form = LoginForm()
        form.form_errors.append(TOO_MANY_LOGINS)
        return _render("accounts/login.html", 429, form=form)
    if request.endpoint in {"accounts.signup", "accounts.forgot_password"}:
        form = SignupForm() if request.endpoint == "accounts.signup" else ForgotPasswordForm()
        form.form_errors.append(MESSAGES[429])
        template = "signup" if request.endpoint == "accounts.signup" else "forgot_password"
        return _render(f"accounts/{template}.html", 429, form=form)
    return error_response(429, MESSAGES[429])


def _render(template: str, status: int = 200, **context: object) -> BaseResponse:
    return Response(render_template(template, **context), status=status, mimetype="text/html")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_limit("signup"), key_func=get_remote_address, methods=["POST"])
def signup() -> BaseResponse:
    """The same answer whether or not the address has an account: "check your inbox".

    A new account is unverified until its owner opens the link mailed to the address; the
    owner of an existing account is told someone tried, and how to get back in.
    """
    form = SignupForm()
    if form.validate_on_submit():
        address = normalise_email(form.email.data)
        try:
            user = services.create_user(
                db.session, address, form.name.data, form.password.data, now(), verified=False
            )
        except services.DuplicateEmail:
            existing = services.user_by_email(db.session, address)
            if existing is not None:
                _mail_sign_up_attempt(existing)
        else:
            _mail_verification(user)
        return _render("accounts/check_inbox.html", email=address)
    status = FORM_STATUS if form.is_submitted() else 200
    return _render("accounts/signup.html", status, form=form)


def _mail_verification(user: User) -> None:
    hours = current_app.config["VERIFY_TOKEN_MAX_AGE"] // 3600
    send_later(
        user.email,
        "Confirm your e-mail address for Networkfest",
        render_template(
            "accounts/mail_verify.txt", user=user, link=verification_link(user), hours=hours
        ),
    )


def _mail_sign_up_attempt(user: User) -> None:
    send_later(
        user.email,
        "Someone tried to sign up with your address",
        render_template(
            "accounts/mail_sign_up_attempt.txt",
            user=user,
            login=absolute("accounts.login"),
            reset=absolute("accounts.forgot_password"),
        ),
    )


def _mail_reset(user: User) -> None:
    hours = current_app.config["PASSWORD_TOKEN_MAX_AGE"] // 3600
    send_later(
        user.email,
        "Reset your Networkfest password",
        render_template(
            "accounts/mail_reset.txt", user=user, link=password_link(user, "reset"), hours=hours
        ),
    )


def _sign_in(user: User) -> None:
    """A sign-in the server can end (`/logout`), in this browser's session cookie."""
    services.start_sign_in(db.session, user, now())
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _limit("login_address"), key_func=get_remote_address, methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    _limit("login_account"), key_func=_posted_email, methods=["POST"], deduct_when=_failed
)
def login() -> BaseResponse:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            _sign_in(user)
            return redirect(safe_next(form.next.data) or url_for("programme.schedule"))
        form.form_errors.append(
            "That e-mail address and password do not match an account. "
            "Check them, or reset your password."
        )
    status = FORM_STATUS if form.is_submitted() else 200
    return _render("accounts/login.html", status, form=form)


@bp.get("/logout")
def confirm_logout() -> BaseResponse:
    """A typed or bookmarked /logout asks, with the button: a GET signs no one out, so no
    other site's link or image can."""
    return _render("accounts/logout.html")


@bp.post("/logout")
def logout() -> BaseResponse:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        user_id, sign_in_id = current_user.id, current_user.sign_in_id
        logout_user()
        services.end_sign_in(db.session, user_id, sign_in_id, now())
        flash("You have signed out.", "success")
    return redirect(url_for("programme.schedule"))


@bp.post("/me/sign-out-everywhere")
@require(SIGNED_IN)
def sign_out_everywhere() -> BaseResponse:
    """Every sign-in of the person ends (this one too) and every live connection closes."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    logout_user()
    services.sign_out_everywhere(db.session, user, now())
    flash("You have signed out everywhere: on every device and in every live room.", "success")
    return redirect(url_for("programme.schedule"))


@bp.get("/verify/<token>")
def verify(token: str) -> BaseResponse:
    """The link mailed at sign-up: works once, expires, and is bound to the account's stamp."""
    claim = read_link(
        current_app.config["SECRET_KEY"],
        "verify",
        token,
        current_app.config["VERIFY_TOKEN_MAX_AGE"],
    )
    user = services.user_for_link(db.session, *claim) if claim else None
    if user is None or user.verified:
        return _render("accounts/link_invalid.html", 400, purpose="verify")
    services.verify(db.session, user, now())
    signed_in = current_user.is_authenticated and current_user.id == user.id
    return _render("accounts/verified.html", signed_in=signed_in)


@bp.post("/me/verify")
@require(SIGNED_IN)
@limiter.limit(_limit("verify"), key_func=_user_key)
def resend_verification() -> BaseResponse:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not current_user.verified:
        _mail_verification(current_user._get_current_object())
    flash("We have sent the link again: please check your inbox.", "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_limit("forgot_address"), key_func=get_remote_address, methods=["POST"])
@limiter.limit(_limit("forgot_account"), key_func=_posted_email, methods=["POST"])
def forgot_password() -> BaseResponse:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(db.session, form.email.data)
        if user is not None:
            _mail_reset(user)
        # The same answer either way, and no mail on the request path for anyone, so
        # neither the words nor the time taken reveal who has an account.
        return _render("accounts/forgot_password_sent.html", email=normalise_email(form.email.data))
    status = FORM_STATUS if form.is_submitted() else 200
    return _render("accounts/forgot_password.html", status, form=form)


@bp.route("/set-password/<purpose>/<token>", methods=["GET", "POST"])
def set_password(purpose: str, token: str) -> BaseResponse:
    if purpose not in LINK_PURPOSES:
        abort(404)
    max_age_setting = "INVITE_TOKEN_MAX_AGE" if purpose == "invite" else "PASSWORD_TOKEN_MAX_AGE"
    claim = read_link(
        current_app.config["SECRET_KEY"], purpose, token, current_app.config[max_age_setting]
    )
    user = services.user_for_link(db.session, *claim) if claim else None
    if user is None or (purpose == "invite" and not user.invited):
        return _render("accounts/link_invalid.html", 400, purpose=purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        if purpose == "invite":
            services.claim_invite(db.session, user, form.password.data, now())
        else:
            services.reset_password(db.session, user, form.password.data, now())
        _sign_in(user)
        flash("Your password is set and you are signed in.", "success")
        return redirect(url_for("accounts.profile"))
    status = FORM_STATUS if form.is_submitted() else 200
    return _render("accounts/set_password.html", status, form=form, purpose=purpose, user=user)


def _profile_page(
    status: int = 200, new_token: str | None = None, **forms: FlaskForm
) -> BaseResponse:
    user = current_user._get_current_object()
    forms.setdefault(
        "profile_form",
        ProfileForm(formdata=None, name=user.name, organisation=user.organisation, role=user.role),
    )
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    return _render(
        "accounts/profile.html",
        status,
        tokens=services.api_tokens(db.session, user),
        new_token=new_token,
        revoke_form=EmptyForm(),
        **forms,
    )


@bp.route("/me", methods=["GET", "POST"])
@require(SIGNED_IN)
def profile() -> BaseResponse:
    if request.method == "GET":
        return _profile_page()
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile_page(FORM_STATUS, profile_form=form)
    services.update_profile(
        db.session,
        current_user._get_current_object(),
        form.name.data,
        form.organisation.data or "",
        form.role.data or "",
    )
    flash("Your name, organisation and role are saved.", "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/me/password")
@require(SIGNED_IN)
def change_password() -> BaseResponse:
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if services.check_password(user, form.current.data):
            services.change_password(db.session, user, form.password.data, now())
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.profile"))
        form.current.errors = ["That is not your current password."]
    return _profile_page(FORM_STATUS, password_form=form)


@bp.post("/me/tokens")
@require(VERIFIED)
@limiter.limit(_limit("token"), key_func=_user_key)
def create_token() -> BaseResponse:
    form = TokenForm()
    if not form.validate_on_submit():
        return _profile_page(FORM_STATUS, token_form=form)
    raw = services.create_api_token(
        db.session, current_user._get_current_object(), form.name.data, now()
    )
    # Rendered, not redirected: the token must not travel in a flash message cookie.
    response = _profile_page(201, new_token=raw)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/me/tokens/<int:token_id>/revoke")
@require(SIGNED_IN)
def revoke_token(token_id: int) -> BaseResponse:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.revoke_api_token(db.session, current_user._get_current_object(), token_id):
        abort(404)
    flash("The token is revoked: anything using it can no longer get in.", "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/organiser/users")
@require(ORGANISER)
def users() -> BaseResponse:
    query = request.args.get("q", "")[:200]
    people = services.search_users(db.session, query)
    invites = {person.id: password_link(person, "invite") for person in people if person.invited}
    states = {person.id: account_state(person.invited, person.verified) for person in people}
    refusals = {
        person.id: organiser_refusal(person.name, person.invited, person.verified)
        for person in people
    }
    return _render(
        "accounts/users.html",
        query=query,
        people=people,
        invites=invites,
        states=states,
        refusals=refusals,
        role_form=RoleForm(),
    )


@bp.post("/organiser/users/<int:user_id>/role")
@require(ORGANISER)
def change_role(user_id: int) -> BaseResponse:
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    flag = form.organiser.data == "1"
    actor = current_user._get_current_object()
    try:
        services.set_organiser(db.session, actor, person, flag, now())
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        if person == actor and not flag:
            # The people page is for organisers: they go where they still may.
            flash("You are no longer an organiser.", "success")
            return redirect(url_for("accounts.profile"))
        role = "now an organiser" if flag else "no longer an organiser"
        flash(f"{person.name} is {role}.", "success")
    return redirect(url_for("accounts.users", q=request.args.get("q", "")[:200] or None))
