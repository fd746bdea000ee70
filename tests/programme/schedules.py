"""Schedule file snippets for the programme tests: a valid file, and ways to spoil it."""

from __future__ import annotations

FESTIVAL = """
[festival]
name = "Test festival"
slug = "test-festival"
timezone = "Europe/London"
starts = 2026-09-21
ends = 2026-09-25
themes = [
  { slug = "method", name = "Having a method" },
  { slug = "purpose", name = "Ruthless about purpose" },
]
"""


def session(
    slug: str = "alpha",
    *,
    title: str = "Alpha session",
    starts: str = "2026-09-21T10:00:00",
    minutes: int = 30,
    hosts: str = '["host@example.org"]',
    theme: str = "method",
    agenda: str = '[{ title = "Welcome", minutes = 10 }, { title = "Work", minutes = 20 }]',
    extra: str = "",
) -> str:
    return f"""
[[session]]
slug = "{slug}"
title = "{title}"
theme = "{theme}"
purpose = "Leave with one thing to try."
format = "talk"
starts = {starts}
minutes = {minutes}
hosts = {hosts}
join_url = "https://meet.example.org/{slug}"
agenda = {agenda}
{extra}
"""


def schedule(*sessions: str, festival: str = FESTIVAL, extra: str = "") -> str:
    return festival + extra + "".join(sessions or (session(),))
