"""Absolute links for mails, feeds and the CLI, built from NETWORKFEST_BASE_URL."""

from __future__ import annotations

from flask import current_app


def absolute(endpoint: str, **values: object) -> str:
    """Works without a request (CLI, background tasks): builds from the URL map directly."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def webcal_url(url: str) -> str:
    """The `webcal://` form of a feed address: calendar apps subscribe when it is opened."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url
