"""Import every API module so their routes and OpenAPI fragments are registered on the blueprint."""

from networkfest.api import me, polls, questions, registration, sessions

__all__ = ["me", "polls", "questions", "registration", "sessions"]
