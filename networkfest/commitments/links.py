"""Signed follow-up links: one per answer in a follow-up mail, usable without signing in.

A link carries the commitment, its owner, the answer it stands for and when it expires,
signed with the app's secret (itsdangerous, as the account links are). The expiry is an
instant in the link rather than itsdangerous' own timestamp, so it is judged against the
app's clock (`commitments.rules.link_refusal`) and tests can move time instead of waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeGuard

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from networkfest.commitments.rules import ANSWERS, Answer, link_expires_at
from networkfest.links import absolute

PURPOSE = "commitment-follow-up"


@dataclass(frozen=True)
class FollowUpLink:
    commitment_id: int
    user_id: int
    answer: Answer
    expires_at: datetime


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PURPOSE)


def sign(commitment_id: int, user_id: int, answer: Answer, sent_at: datetime) -> str:
    expires = int(link_expires_at(sent_at).timestamp())
    return _serializer().dumps({"c": commitment_id, "u": user_id, "a": str(answer), "e": expires})


def read(token: str) -> FollowUpLink | None:
    """The link's contents, or None when it is forged or mangled (expiry is a rule's call)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    commitment_id, user_id, expires = (data.get(key) for key in ("c", "u", "e"))
    if not (_whole(commitment_id) and _whole(user_id) and _whole(expires)):
        return None
    if data.get("a") not in ANSWERS:
        return None
    return FollowUpLink(
        commitment_id, user_id, Answer(data["a"]), datetime.fromtimestamp(expires, UTC)
    )


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def follow_up_url(commitment_id: int, user_id: int, answer: Answer, sent_at: datetime) -> str:
    """The absolute address for a mail; works without a request (the job runner's)."""
    token = sign(commitment_id, user_id, answer, sent_at)
    return absolute("commitments.follow_up", token=token)
