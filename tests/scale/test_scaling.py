"""The start-up check of the message queue: a missing Redis fails loudly, naming the URL."""

from __future__ import annotations

import sys

import pytest

from networkfest.scaling import check_message_queue, redacted
from tests.conftest import redis_url
from tests.server import free_port


def test_unreachable_redis_names_the_url() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RuntimeError, match="not reachable") as raised:
        check_message_queue(url)
    assert url in str(raised.value)


def test_password_is_not_printed() -> None:
    url = f"redis://festival:s3cret@127.0.0.1:{free_port()}/0"
    with pytest.raises(RuntimeError) as raised:
        check_message_queue(url)
    assert "s3cret" not in str(raised.value)
    assert "festival:***@127.0.0.1" in str(raised.value)


def test_redacted_leaves_a_url_without_password_alone() -> None:
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_other_queues_are_refused() -> None:
    with pytest.raises(RuntimeError, match="only Redis"):
        check_message_queue("amqp://guest@127.0.0.1//")


def test_missing_redis_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(RuntimeError, match="needs the 'redis' package"):
        check_message_queue("redis://127.0.0.1:6379/0")


def test_reachable_redis_passes() -> None:
    url = redis_url()
    assert check_message_queue(url) is None
