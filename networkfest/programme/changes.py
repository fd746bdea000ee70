"""What changed between two versions of the programme, and how to say it.

Pure: no Flask, no database. A `Change` is kept in the schedule version as JSON (its
`as_json` shape is what `/schedule/changes`, the exports and older versions hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    ADDED = "added"
    RESTORED = "restored"
    RETITLED = "retitled"
    MOVED = "moved"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    FESTIVAL = "festival"


@dataclass(frozen=True)
class Change:
    """One change a reader would want to know about; `session` is None for the festival's."""

    kind: ChangeKind
    title: str
    session: str | None = None
    fields: tuple[str, ...] = ()
    # Retitled: the old and new title. Moved: the old and new start (ISO 8601), with labels
    # in festival time and the session's length.
    before: str | None = None
    after: str | None = None
    before_label: str | None = None
    after_label: str | None = None
    minutes: int | None = None

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"kind": str(self.kind), "title": self.title}
        optional = {
            "session": self.session,
            "fields": list(self.fields) if self.fields else None,
            "from": self.before,
            "to": self.after,
            "from_label": self.before_label,
            "to_label": self.after_label,
            "minutes": self.minutes,
        }
        document.update({key: value for key, value in optional.items() if value is not None})
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Change:
        return cls(
            kind=ChangeKind(document["kind"]),
            title=str(document.get("title", "")),
            session=document.get("session"),
            fields=tuple(document.get("fields", ())),
            before=document.get("from"),
            after=document.get("to"),
            before_label=document.get("from_label"),
            after_label=document.get("to_label"),
            minutes=document.get("minutes"),
        )


def describe_change(change: Change) -> str:
    """One line a person can read, for the CLI and the changes page (times already formatted)."""
    match change.kind:
        case ChangeKind.ADDED:
            return f"Added: {change.title}"
        case ChangeKind.CANCELLED:
            return f"Cancelled: {change.title}"
        case ChangeKind.RESTORED:
            return f"Back on: {change.title}"
        case ChangeKind.MOVED:
            return f"Moved: {change.title}, from {change.before_label} to {change.after_label}"
        case ChangeKind.RETITLED:
            return f"Renamed: {change.before} is now {change.after}"
        case ChangeKind.CHANGED:
            return f"Changed: {change.title} ({', '.join(change.fields)})"
        case ChangeKind.FESTIVAL:
            return f"Festival details changed ({', '.join(change.fields)})"
