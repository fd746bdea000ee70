"""Outcomes of a session: what its hosts say came out of it, with links, kept after the day."""
