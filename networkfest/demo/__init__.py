"""The demo festival: the programme in `schedule/` moved to now, with accounts to try it."""
