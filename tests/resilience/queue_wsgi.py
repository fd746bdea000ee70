"""gunicorn's entry point for these tests: `wsgi.app` with the queue monitor armed.

Until web.py wires `queue_health.init_app` itself; the call is idempotent either way.
"""

from networkfest import queue_health
from wsgi import app

queue_health.init_app(app)
