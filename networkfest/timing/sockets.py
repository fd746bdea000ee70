"""PLACEHOLDER: the timing helper writes ClockEvents (clock_sync, agenda_next)."""


class ClockEvents:
    pass
