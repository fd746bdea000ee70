"""Put first on PYTHONPATH to measure gevent + simple-websocket while gevent-websocket is
installed: python-engineio uses gevent-websocket whenever it can import it."""

raise ImportError("gevent-websocket hidden for this benchmark run")
