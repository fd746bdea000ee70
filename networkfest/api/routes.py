"""Import every API module so their routes and OpenAPI fragments are registered on the blueprint."""

from networkfest.api import (
    commitments,
    me,
    outcomes,
    peers,
    polls,
    questions,
    registration,
    sessions,
)

__all__ = [
    "commitments",
    "me",
    "outcomes",
    "peers",
    "polls",
    "questions",
    "registration",
    "sessions",
]
