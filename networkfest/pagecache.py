"""Bodies built once per published version and served from memory until it changes.

A public page or feed whose every input is named in its key (the published version, the
places left, what the slices above add: what its ETag already names) is the same bytes for
every visitor. Building it costs the templates and the ORM; answering from here costs a
lookup. The bodies live in a `process_cache` cache of their own (one per app and process,
bounded: the least recently used body goes first). Nothing is ever forgotten: a new version
or a new seat count is a new key, so a stale body is never served, in any process.
"""

from __future__ import annotations

from collections.abc import Hashable

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
