"""PLACEHOLDER: replaced by the timing helper."""

from flask import Flask


def init_app(app: Flask) -> None:
    return None
