"""PLACEHOLDER: replaced by the domain helper."""

from flask import Blueprint

bp = Blueprint("live", __name__)
