"""The API against its own OpenAPI document: schemathesis finds no 5xx and no response that
breaks the document, for an authenticated caller with a real programme to register for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.registration import services
from tests.factories import FESTIVAL_START

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture
def slugs(factory: Any) -> list[str]:
    """A programme to fuzz against: open, full, ended and cancelled sessions."""
    festival = factory.festival()
    factory.session(festival, capacity=1)
    factory.session(festival, starts_at=FESTIVAL_START - timedelta(hours=3))
    factory.session(festival, status="cancelled", hosts=[factory.user(name="Ada Host")])
    full = factory.session(festival, capacity=1, starts_at=FESTIVAL_START + timedelta(days=1))
    services.register(db.session, full, factory.user(), FESTIVAL_START)
    return [s.slug for s in festival.sessions]


@pytest.fixture
def api_schema(app: Flask, slugs: list[str]) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def bearer_headers(app: Flask, factory: Any) -> dict[str, str]:
    user = factory.user()
    raw = new_api_token()
    db.session.add(
        ApiToken(
            user_id=user.id, name="fuzz", token_hash=hash_token(raw), created_at=FESTIVAL_START
        )
    )
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_api_matches_its_openapi_document(
    api_schema: Any, slugs: list[str], bearer_headers: dict[str, str]
) -> None:
    """Every operation in the document, a bounded number of generated cases each, half of
    them aimed at real sessions so they get past the 404.

    The schema is loaded inside the test because the app is a per-test fixture, and
    `schemathesis.pytest.from_fixture` reads a node attribute pytest 9.2 no longer has.
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operations"
    for operation in operations:

        @given(case=operation.as_strategy(), slug=st.none() | st.sampled_from(slugs))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any, slug: str | None) -> None:
            if slug is not None and case.path_parameters and "slug" in case.path_parameters:
                case.path_parameters["slug"] = slug
            case.call_and_validate(headers=bearer_headers, checks=CHECKS)

        check()
