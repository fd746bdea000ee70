"""What the live room offers someone who may not ask: a way to a place, not a closed form.

Pure: no Flask, no database; the facts are passed in by the room's handler.
"""

from __future__ import annotations

from enum import StrEnum

from networkfest.programme.rules import QaMode
from networkfest.registration.rules import RegistrationStatus
from networkfest.timing.rules import Phase


class AskInvitation(StrEnum):
    SIGN_IN = "sign-in"  # a visitor: sign in (or sign up) first
    VERIFY = "verify"  # signed in, address not confirmed: no registering until it is
    REGISTER = "register"  # no place and places left: "Register to ask", here in the room
    WAITLISTED = "waitlisted"  # on the waitlist: they may ask once promoted
    FULL = "full"  # no place and none left: the waitlist is on the session's page


def ask_invitation(
    *,
    signed_in: bool,
    verified: bool,
    participant: bool,
    qa_mode: str,
    phase: str,
    cancelled: bool,
    places_left: int | None,
    place: str | None,
) -> AskInvitation | None:
    """What the room offers instead of the ask form, or None: when the person can ask (the
    form shows), or when a place would not help (questions off, the session over or cancelled:
    the form shows with its reason). `places_left` None means no limit; `place` is the
    person's registration status, None when they never registered."""
    if participant or qa_mode == QaMode.OFF or cancelled or phase == Phase.ENDED:
        return None
    if not signed_in:
        return AskInvitation.SIGN_IN
    if not verified:
        return AskInvitation.VERIFY
    if place == RegistrationStatus.WAITLISTED:
        return AskInvitation.WAITLISTED
    if place == RegistrationStatus.CONFIRMED:
        return None  # a place the room does not count (yet): the form says why
    if places_left is None or places_left > 0:
        return AskInvitation.REGISTER
    return AskInvitation.FULL
