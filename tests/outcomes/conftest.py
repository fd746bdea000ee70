"""The outcomes tests' cast (`tests.outcomes.helpers.make_cast`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.outcomes.helpers import Cast, make_cast


@pytest.fixture
def cast(factory: Any) -> Cast:
    return make_cast(factory)
