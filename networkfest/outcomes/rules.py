"""What a session's outcomes may say, who may write them and when.

Pure: no Flask, no database, time passed in (as the run sheet at that instant). The form on
the live page and the JSON API ask these same rules, so they refuse the same things with the
same words, whatever the client checked first.

The writing window follows the run sheet, as the hosts run it: it opens when the last agenda
item starts (the host's move to it, or its planned start while nobody drives), or at the
start for a session without an agenda, and in any case at the end; it closes 48 hours after
the scheduled end. A cancelled session has no outcomes to write.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from networkfest.timing.rules import RunSheet

MAX_SUMMARY_LENGTH = 5_000
MAX_LINKS = 10
MAX_TITLE_LENGTH = 120
MAX_URL_LENGTH = 500
WRITING_AFTER_END = timedelta(hours=48)
URL_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Link:
    title: str
    url: str

    def as_json(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True)
class CleanOutcomes:
    """Outcomes as they are kept: a trimmed summary and at most ten checked links."""

    summary: str
    links: tuple[Link, ...]

    def links_json(self) -> list[dict[str, str]]:
        return [link.as_json() for link in self.links]


class OutcomesInvalid(Exception):
    """Every problem with what was sent, at once, each in words a host can act on."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class Refusal(StrEnum):
    """Why outcomes cannot be written now; each has the words the host sees."""

    CANCELLED = "cancelled"
    NOT_YET = "not_yet"
    CLOSED = "closed"


REFUSAL_MESSAGES = {
    Refusal.CANCELLED: "This session was cancelled, so it has no outcomes to write.",
    Refusal.NOT_YET: (
        "Outcomes can be written from the start of the run sheet's last item "
        "until 48 hours after the end."
    ),
    Refusal.CLOSED: (
        "Outcomes can be written until 48 hours after the end of the session, "
        "and that time has passed."
    ),
}


def may_write(*, verified: bool, host: bool, organiser: bool) -> bool:
    """The session's own hosts and the organisers, with an address they proved."""
    return verified and (host or organiser)


def _has_control_characters(text: str, categories: tuple[str, ...] = ("Cc",)) -> bool:
    return any(unicodedata.category(char) in categories for char in text)


def _summary(summary: Any, problems: list[str]) -> str:
    if summary is None:
        return ""
    if not isinstance(summary, str):
        problems.append("The summary must be text.")
        return ""
    cleaned = summary.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(cleaned) > MAX_SUMMARY_LENGTH:
        problems.append(
            f"Please keep the summary to {MAX_SUMMARY_LENGTH:,} characters "
            f"(it has {len(cleaned):,})."
        )
    return cleaned


def url_problem(url: str) -> str | None:
    """Why an address cannot be a link, or None: http(s) with a host, no spaces, not too long."""
    if not url:
        return "give its address"
    if len(url) > MAX_URL_LENGTH:
        return f"keep its address to {MAX_URL_LENGTH} characters"
    if any(char.isspace() for char in url) or _has_control_characters(url, ("Cc", "Cf")):
        return "its address must not contain spaces"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "its address is not a valid web address"
    if parts.scheme.lower() not in URL_SCHEMES:
        return "its address must start with http:// or https://"
    if not host:
        return "its address needs a site name after http:// or https://"
    return None


def _link(number: int, entry: Any, problems: list[str]) -> Link | None:
    if not isinstance(entry, dict):
        problems.append(f"Link {number} must have a title and an address.")
        return None
    title, url = entry.get("title"), entry.get("url")
    if not isinstance(title, str) or not isinstance(url, str):
        problems.append(f"Link {number}: the title and the address must be text.")
        return None
    title, url = title.strip(), url.strip()
    wrong = []
    if not title:
        wrong.append("give it a title")
    elif len(title) > MAX_TITLE_LENGTH:
        wrong.append(f"keep its title to {MAX_TITLE_LENGTH} characters")
    elif _has_control_characters(title):
        wrong.append("its title must be one line of plain text")
    address = url_problem(url)
    if address is not None:
        wrong.append(address)
    if wrong:
        problems.append(f"Link {number}: " + "; ".join(wrong) + ".")
        return None
    return Link(title=title, url=url)


def clean_outcomes(summary: Any, links: Any) -> CleanOutcomes:
    """Check outcomes whatever the client sent; raises `OutcomesInvalid` with every problem.

    The summary (Markdown) is up to 5,000 characters and may be empty only when there are
    links; up to ten links, each a title of 1 to 120 characters and an http(s) address of up
    to 500.
    """
    problems: list[str] = []
    cleaned_summary = _summary(summary, problems)
    if links is None:
        links = []
    cleaned_links: list[Link] = []
    if not isinstance(links, list):
        problems.append("The links must be a list of titles and addresses.")
    else:
        if len(links) > MAX_LINKS:
            problems.append(f"Please give at most {MAX_LINKS} links (there are {len(links)}).")
        for number, entry in enumerate(links, start=1):
            link = _link(number, entry, problems)
            if link is not None:
                cleaned_links.append(link)
        if not cleaned_summary and not links and not problems:
            problems.append("Write a summary, or add at least one link.")
    if problems:
        raise OutcomesInvalid(problems)
    return CleanOutcomes(summary=cleaned_summary, links=tuple(cleaned_links))


@dataclass(frozen=True)
class Window:
    """When outcomes may be written, as far as the run sheet tells at its instant.

    `opens_at` is None while it is not known yet: the host drives the run sheet and has not
    reached the last item (the window then opens with that move, or at the end).
    """

    opens_at: datetime | None
    closes_at: datetime


def writing_window(sheet: RunSheet) -> Window:
    """The window from the run sheet at `sheet.at`: the last item's start, else the start
    (no agenda), else the end; until 48 hours after the end."""
    slot = sheet.slot
    closes_at = slot.ends_at + WRITING_AFTER_END
    if not sheet.items:
        return Window(slot.starts_at, closes_at)
    last = sheet.items[-1]
    if last.actual_start is not None:
        return Window(min(last.actual_start, slot.ends_at), closes_at)
    if sheet.driven:
        # The host never reached the last item: it opens with that move, or at the end.
        return Window(slot.ends_at if sheet.at >= slot.ends_at else None, closes_at)
    # Nobody drives: the plan says when the last item starts (never after the end).
    return Window(min(last.planned_start, slot.ends_at), closes_at)


def writing_refusal(sheet: RunSheet, *, cancelled: bool) -> Refusal | None:
    """Why outcomes cannot be written at `sheet.at`, or None while the window is open."""
    if cancelled:
        return Refusal.CANCELLED
    window = writing_window(sheet)
    if sheet.at >= window.closes_at:
        return Refusal.CLOSED
    if window.opens_at is None or sheet.at < window.opens_at:
        return Refusal.NOT_YET
    return None
