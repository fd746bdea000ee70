"""The notifications tests sign people in as the insights tests do."""

from tests.insights.conftest import signed_in

__all__ = ["signed_in"]
