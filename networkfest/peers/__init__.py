"""Peers who stay in touch: people from one session who both chose to see each other."""
