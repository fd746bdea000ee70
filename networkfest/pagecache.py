"""Bodies built once per published version and served from memory until it changes.

A public page or feed whose every input is named in its key (the published version, the
places left, what the slices above add: what its ETag already names) is the same bytes for
every visitor. Building it costs the templates and the ORM; answering from here costs a
lookup. There is one cache per app (tests run several apps in one process) and per process,
bounded (the least recently used body goes first). Nothing is ever invalidated: a new
version or a new seat count is a new key, so a stale body is never served, in any process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import current_app

# Enough for every public feed and filtered page of a festival at a few versions at once.
SIZE = 512
_EXTENSION = "networkfest.pagecache"


class PageCache:
    def __init__(self, size: int = SIZE) -> None:
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._bodies[key] = body
            self._bodies.move_to_end(key)
            while len(self._bodies) > self._size:
                self._bodies.popitem(last=False)


def pages() -> PageCache:
    """This app's cache."""
    cache: PageCache = current_app.extensions.setdefault(_EXTENSION, PageCache())
    return cache
