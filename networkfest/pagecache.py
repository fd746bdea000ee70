"""Bodies built once per published version and served from memory until it changes.

A public page or feed whose every input is named in its key (the published programme's
fingerprint, what the slices above add, the second for the front page: what its ETag already
names) is the same bytes for every visitor. Building it costs the templates and the ORM;
answering from here costs a lookup, and the key itself is read from
`programme.published`'s copy without a query. The bodies live in a `process_cache` cache of
their own (one per app and process, bounded: the least recently used body goes first).
Nothing is ever forgotten: a new version or a new seat count is a new key, so a stale body
is never served, in any process.

A page that is the same for everyone but for a few personal parts (the signed-in person's
links, notices, places and forms) is kept once as a *frame*: built as for a visitor, with each
personal part left as a slot (`personal(name, arg)` in its templates). A visitor's page is the
frame with the visitors' parts put in, kept in turn; a signed-in person's is the frame with
theirs, rendered per request. The frame is built with nobody signed in, so a part left out of
a slot by mistake shows a visitor's view, never someone else's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from flask import current_app, g
from flask.sansio.app import App
from markupsafe import Markup

from networkfest.extensions import login_manager
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


PARTS_KEY = "networkfest.personal_parts"
_FRAMING = "pagecache_framing"
# A slot's name and argument: user input never reaches a slot, and any `<` it holds is
# escaped, so no page text can look like one.
_SLOT = re.compile(rb"<!--networkfest-personal:([a-z_]+):([A-Za-z0-9_-]*)-->")

Part = Callable[[str], str]


def add_part(app: App, name: str, render: Part) -> None:
    """`render(arg)` gives the part `name` for whoever reads the page, visitor or person;
    the slice that owns its facts registers it. An unregistered part is empty."""
    app.extensions.setdefault(PARTS_KEY, {})[name] = render


def _render_part(name: str, arg: str) -> str:
    render: Part | None = current_app.extensions.get(PARTS_KEY, {}).get(name)
    return render(arg) if render is not None else ""


def personal(name: str, arg: object = "") -> Markup:
    """For templates: a part of the page that belongs to its reader. A slot in a frame;
    rendered in place in a page built whole."""
    if g.get(_FRAMING):
        slot = f"<!--networkfest-personal:{name}:{arg}-->"
        if _SLOT.fullmatch(slot.encode()) is None:
            raise ValueError(f"a personal part's name and argument must fit a slot: {slot}")
        return Markup(slot)
    return Markup(_render_part(name, str(arg)))


@contextmanager
def as_visitor() -> Iterator[None]:
    """The rest of the request as a visitor makes it, with nobody signed in: to build what
    every reader shares, or to name it in a key. The reader comes back afterwards."""
    absent = object()
    user = g.get("_login_user", absent)
    g._login_user = login_manager.anonymous_user()
    try:
        yield
    finally:
        if user is absent:
            g.pop("_login_user", None)
        else:
            g._login_user = user


def _frame(key: tuple[object, ...], build: Callable[..., str]) -> bytes:
    """The page with its personal parts as slots, built once per `key`. It carries no form
    anyone could post, so no CSRF token: the parts that have forms bring their own."""
    frame = kept(("frame", *key))
    if frame is None:
        setattr(g, _FRAMING, True)
        try:
            with as_visitor():
                frame = build(csrf_token=_no_token_for_everyone).encode()
        finally:
            g.pop(_FRAMING, None)
        keep(("frame", *key), frame)
    return frame


def _fill(frame: bytes) -> bytes:
    """The frame with each slot's part for this request's reader, each part rendered once."""
    rendered: dict[bytes, bytes] = {}

    def part(slot: re.Match[bytes]) -> bytes:
        found = rendered.get(slot[0])
        if found is None:
            found = _render_part(slot[1].decode(), slot[2].decode()).encode()
            rendered[slot[0]] = found
        return found

    return _SLOT.sub(part, frame)


def for_visitors(key: tuple[object, ...], build: Callable[..., str]) -> bytes:
    """A page that is the same for every visitor while `key` holds: its frame with the
    visitors' parts, built once (with the demo banner on or off) and served as it is.
    Serving it neither reads nor writes the visitor's cookie session.
    `build(**context)` renders it with `context` added to the template's."""
    key = (*key, bool(current_app.config.get("DEMO")))
    body = kept(key)
    if body is None:
        body = _fill(_frame(key, build))
        keep(key, body)
    return body


def for_reader(key: tuple[object, ...], build: Callable[..., str]) -> bytes:
    """The same page for a signed-in person: the frame every reader shares, with their own
    parts put in; only those parts are rendered for them."""
    return _fill(_frame((*key, bool(current_app.config.get("DEMO"))), build))


def _no_token_for_everyone() -> str:
    raise RuntimeError("a page kept for every visitor cannot carry one visitor's CSRF token")
