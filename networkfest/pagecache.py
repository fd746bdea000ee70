"""Bodies built once per published version and served from memory until it changes.

A public page or feed whose every input is named in its key (the published programme's
fingerprint, what the slices above add, the second for the front page: what its ETag already
names) is the same bytes for every visitor. Building it costs the templates and the ORM;
answering from here costs a lookup, and the key itself is read from
`programme.published`'s copy without a query. The bodies live in a `process_cache` cache of
their own (one per app and process, bounded: the least recently used body goes first).
Nothing is ever forgotten: a new version or a new seat count is a new key, so a stale body
is never served, in any process.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import current_app

from networkfest.process_cache import ProcessCache, caches_of

NAME = "pages"
# Enough for every public feed and filtered page of a festival at a few versions at once.
SIZE = 512


def _pages() -> ProcessCache:
    return caches_of(current_app).named(NAME, lambda: ProcessCache(NAME, size=SIZE))


def kept(key: Hashable) -> bytes | None:
    body: bytes | None = _pages().get(key)
    return body


def keep(key: Hashable, body: bytes) -> None:
    pages = _pages()
    pages.put(key, body, ticket=pages.ticket())


def for_visitors(key: tuple[object, ...], build: Callable[..., str]) -> bytes:
    """A page that is the same for every visitor while `key` holds: built once (with the
    demo banner on or off) and served as it is. It carries no form a visitor could post, so
    no CSRF token: serving it neither reads nor writes the visitor's cookie session.
    `build(**context)` renders it with `context` added to the template's."""
    key = (*key, bool(current_app.config.get("DEMO")))
    body = kept(key)
    if body is None:
        body = build(csrf_token=_no_token_for_everyone).encode()
        keep(key, body)
    return body


def _no_token_for_everyone() -> str:
    raise RuntimeError("a page kept for every visitor cannot carry one visitor's CSRF token")
