"""How the clock reads on a page: countdown text and phase wording, shared by the partial."""

from __future__ import annotations

from typing import Any

from networkfest.timing.rules import Phase

PHASE_LABELS = {
    Phase.SCHEDULED: "Not started yet",
    Phase.LOBBY: "The lobby is open",
    Phase.LIVE: "Live now",
    Phase.ENDED: "This session has ended",
}


def countdown(ms: int) -> str:
    """`M:SS` or `H:MM:SS`, whole seconds rounded up: a countdown shows 5:00 until 4:59 is due."""
    seconds = max(-(-ms // 1000), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration(seconds: int) -> str:
    """'3 min 20 s' for the punctuality summary."""
    minutes, secs = divmod(abs(seconds), 60)
    if not minutes:
        return f"{secs} s"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def clock_view(clock: dict[str, Any]) -> dict[str, Any]:
    """What the partial shows before the script takes over (and without JavaScript)."""
    phase = clock["phase"]
    now = clock["server_now"]
    if phase in (Phase.SCHEDULED, Phase.LOBBY):
        label, target = "Starts in", clock["starts_at"]
    elif phase == Phase.LIVE:
        label, target = "Time left", clock["ends_at"]
    else:
        label, target = "Ended", now
    item = clock.get("item")
    return {
        "phase_label": PHASE_LABELS[phase],
        "label": label,
        "countdown": countdown(target - now),
        "item_left": countdown(item["ends_at"] - now) if item else "",
        "item_over": item is not None and item["ends_at"] < now,
    }
