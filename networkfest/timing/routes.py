"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint

bp = Blueprint("timing", __name__)
