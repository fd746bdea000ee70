"""The WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py` (see docs/deploy.md).

In gevent mode the standard library must be monkey-patched before anything imports
`socket`, `ssl` or `threading`. gunicorn's gevent workers patch in the worker before
they load this module; any other server that imports it gets patched here, first.
"""

import os

if os.environ.get("NETWORKFEST_ASYNC_MODE") == "gevent":
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()

from networkfest import create_app
from networkfest.serving import refuse_unsafe_settings

app = create_app()
refuse_unsafe_settings(app)
