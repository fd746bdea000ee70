"""The HTTP limits when their Redis is out of reach: counted in the process, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import test_settings as base_settings
from tests.factories import PASSWORD


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    return {**base_settings(database_url, clock), "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}


def test_sign_ins_are_limited_in_the_process_while_redis_is_unreachable(client, factory) -> None:
    user = factory.user()
    for _ in range(5):
        bad = client.post("/login", data={"email": user.email, "password": "guess guess"})
        assert bad.status_code == 400
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    other = factory.user()
    assert (
        client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
    )
