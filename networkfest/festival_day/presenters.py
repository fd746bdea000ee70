"""How festival day's countdowns read before the page's script takes over (and without it)."""

from __future__ import annotations

DAY = 86_400


def countdown(ms: int) -> str:
    """The session clock's `M:SS` or `H:MM:SS` (`timing.presenters.countdown`), with whole
    days in front when there are any: "3 days 4:05:06". Seconds round up, as the clock's do;
    static/js/clock.js (`longCountdown`) writes the same."""
    seconds = max(-(-ms // 1000), 0)
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
