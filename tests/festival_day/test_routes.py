"""The front page and the programme's marks through Flask's test client: `/` before, during
and after the festival and with nothing published; links into live rooms only for sessions
that are live; the viewer's places; the schedule's ETag following the marks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from networkfest.clock import to_epoch_ms
from networkfest.extensions import db
from networkfest.live.models import Presence
from networkfest.process_cache import UNTOLD_S
from networkfest.programme.queries import session_by_slug
from tests.factories import FESTIVAL_START
from tests.statements import counted

BEFORE = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
# The festival's sessions, relative to NOW (10:00 BST on the first day).
NOW = FESTIVAL_START + timedelta(hours=1)
AFTER = datetime(2026, 9, 26, 12, 0, tzinfo=UTC)  # the day after the last day


@dataclass(frozen=True)
class Day:
    """Slugs of a festival at NOW: two live, one in its lobby, one later, one ended, one
    cancelled that would be live, and tomorrow's."""

    live: str
    live_too: str
    lobby: str
    later: str
    ended: str
    cancelled: str
    tomorrow: str


def festival_day(factory: Any, festival: Any) -> Day:
    def at(minutes: int, length: int = 45, **extra: Any) -> str:
        start = NOW + timedelta(minutes=minutes)
        return factory.session(festival, starts_at=start, minutes=length, **extra).slug

    return Day(
        live=at(-20, title="Bingo <live> & co"),
        live_too=at(-5, 30, title="Second live", capacity=10),
        lobby=at(5, title="Lobby one"),
        later=at(90, title="Later one"),
        ended=at(-120, 45, title="Ended one"),
        cancelled=at(-10, status="cancelled", title="Cancelled one"),
        tomorrow=at(24 * 60, title="Tomorrow's"),
    )


def page(client: Any, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def main(html: str) -> str:
    """The page's own content, without the site's header and footer."""
    return html[html.index("<main") : html.index("</main>")]


def text(html: str) -> str:
    """The words a person reads: tags taken out, spaces run together."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def live_links(html: str) -> set[str]:
    return set(re.findall(r'href="/sessions/([^"/]+)/live"', html))


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


# GET / in every phase ------------------------------------------------------------------


def test_front_page_with_nothing_published(client) -> None:
    html = page(client)
    assert "The programme has not been published yet" in html
    assert 'href="/signup"' in html and 'href="/schedule"' in html
    assert live_links(html) == set()


def test_front_page_before_the_festival(client, clock, factory, festival) -> None:
    first = factory.session(festival, title="First & foremost")
    factory.session(festival, starts_at=first.starts_at + timedelta(days=1))
    clock.set(BEFORE)
    html = main(page(client))
    assert 'data-festival-phase="before"' in html
    assert "Networkfest 2026" in html
    assert "Monday 21 September to Friday 25 September 2026" in html
    assert "Europe/London" in html
    # The countdown to the first session: its instant for the script, the time left without it.
    assert f'data-countdown-to="{to_epoch_ms(first.starts_at)}"' in html
    assert "19 days 21:00:00" in html
    assert "First &amp; foremost" in html and "Monday 21 September, 10:00 BST" in html
    for theme in ("method", "purpose", "learning"):
        assert f'href="/schedule?theme={theme}"' in html
    assert 'href="/signup"' in html and 'href="/schedule"' in html
    assert live_links(html) == set()


def test_front_page_during_links_every_live_room_and_no_other(
    client, clock, factory, festival
) -> None:
    day = festival_day(factory, festival)
    clock.set(NOW)
    html = main(page(client))
    assert 'data-festival-phase="during"' in html
    assert live_links(html) == {day.live, day.live_too}
    live = section(html, "live-title")
    assert "Bingo &lt;live&gt; &amp; co" in live and "<live>" not in html
    # Time left: 25 minutes for the first, counting to its end.
    ends = NOW + timedelta(minutes=25)
    assert f'data-countdown-to="{to_epoch_ms(ends)}"' in live and "25:00" in live
    assert "Cancelled one" not in html and "Ended one" not in html
    nxt = section(html, "next-title")
    assert f'href="/sessions/{day.lobby}"' in nxt and f'href="/sessions/{day.later}"' in nxt
    assert f'href="/sessions/{day.tomorrow}"' in nxt  # at least three
    assert "Starting soon" in nxt and "BST" in nxt
    assert 'href="/schedule#now"' in html
    assert "Sign in" in section(html, "yours-title")


def test_front_page_during_with_nothing_live(client, clock, factory, festival) -> None:
    session = factory.session(festival)
    clock.set(session.starts_at - timedelta(hours=2))
    html = main(page(client))
    assert "No session is live right now." in html and "2:00:00" in html
    assert live_links(html) == set()
    assert f'href="/sessions/{session.slug}"' in section(html, "next-title")


def test_your_next_session_with_its_countdown_and_the_way_in(
    client, clock, factory, festival, login
) -> None:
    day = festival_day(factory, festival)
    person = factory.user()
    later = session_by_slug(db.session, day.later)
    factory.registration(later, person, "confirmed", BEFORE)
    login(client, person)
    clock.set(NOW)
    yours = section(main(page(client)), "yours-title")
    assert "Later one" in yours and "Registered" in yours
    assert f'data-countdown-to="{to_epoch_ms(later.starts_at)}"' in yours and "1:30:00" in yours
    assert live_links(yours) == set()  # no way in before the lobby opens
    assert "10 minutes before the start" in yours

    clock.set(later.starts_at - timedelta(minutes=3))  # its lobby is open
    yours = section(main(page(client)), "yours-title")
    assert "Lobby open" in yours and "3:00" in yours
    assert live_links(yours) == {day.later}

    clock.set(later.starts_at + timedelta(minutes=5))
    yours = section(main(page(client)), "yours-title")
    assert "Live now" in yours and "40:00" in yours
    assert live_links(yours) == {day.later}

    clock.set(later.ends_at)
    assert "No more sessions in your agenda" in section(main(page(client)), "yours-title")


def test_readers_share_the_front_page_and_each_sees_their_own_next_session(
    app, clock, factory, festival, login
) -> None:
    """Within a second the front page everyone shares is built once: a second reader's page
    renders only their own parts, and nobody's next session reaches anyone else's page."""
    from flask import template_rendered

    day = festival_day(factory, festival)
    ada, bo = factory.user(name="Ada Reader"), factory.user(name="Bo Reader")
    factory.registration(session_by_slug(db.session, day.later), ada, "confirmed", BEFORE)
    clock.set(NOW)
    ada_page = main(page(login(app.test_client(), ada)))
    rendered: list[str] = []

    def record(sender: object, template: Any, context: object, **extra: object) -> None:
        rendered.append(str(template.name))

    template_rendered.connect(record, app)
    try:
        bo_page = main(page(login(app.test_client(), bo)))
    finally:
        template_rendered.disconnect(record, app)
    visitor_page = main(page(app.test_client()))
    assert "festival_day/front_page.html" not in rendered
    assert "festival_day/_front_reader.html" in rendered
    assert "Later one" in section(ada_page, "yours-title")
    assert "No more sessions in your agenda" in section(bo_page, "yours-title")
    assert "Sign in</a> to see your next session" in section(visitor_page, "yours-title")
    assert "and your own next session." in bo_page
    assert "once you sign in, your own next session." in visitor_page
    for others in (bo_page, visitor_page):
        assert "badge--place" not in others


def test_your_next_session_says_waitlisted(client, clock, factory, festival, login) -> None:
    full = factory.session(festival, capacity=1, title="Full one")
    factory.registration(full, factory.user(), "confirmed", BEFORE)
    person = factory.user()
    factory.registration(full, person, "waitlisted", BEFORE)
    login(client, person)
    clock.set(full.starts_at - timedelta(hours=1))
    yours = section(main(page(client)), "yours-title")
    assert "Full one" in yours and "Waitlisted, position 1" in yours


def test_front_page_after_the_festival(client, clock, factory, festival, login) -> None:
    session = factory.session(festival, starts_at=datetime(2026, 9, 25, 14, 0, tzinfo=UTC))
    person = factory.user()
    factory.registration(session, person, "confirmed", BEFORE)
    db.session.add(
        Presence(
            session_id=session.id,
            user_id=person.id,
            sid="was-there",
            joined_at=session.starts_at,
            left_at=session.ends_at,
        )
    )
    db.session.commit()
    clock.set(session.ends_at + timedelta(hours=1))
    html = main(page(client))
    assert 'data-festival-phase="after"' in html and "Thank you for coming" in html
    assert "Feedback stays open for 48 hours" in html
    assert "Sunday 27 September, 15:45 BST" in html  # the end plus 48 hours, festival time
    assert live_links(html) == set() and 'href="/schedule"' in html

    login(client, person)
    html = main(page(client))
    assert f'href="/sessions/{session.slug}/feedback"' in html and "Give feedback" in html

    clock.set(AFTER + timedelta(days=3))
    html = main(page(client))
    assert "Feedback has closed" in html
    assert f'href="/sessions/{session.slug}/feedback"' not in html


def test_front_page_answers_on_a_festival_without_sessions(client, clock, festival) -> None:
    for instant in (BEFORE, NOW, AFTER):
        clock.set(instant)
        assert client.get("/").status_code == 200


CLOCK_NOTE = "Countdowns follow the festival's server clock"


def assert_explains_countdowns(html: str, counts_down: bool) -> None:
    """The note about countdowns is on the page exactly when a countdown is."""
    assert ('class="countdown"' in html) is counts_down
    assert (CLOCK_NOTE in html) is counts_down


def test_the_front_page_explains_countdowns_only_while_it_counts_down(
    app, clock, factory, festival, login
) -> None:
    """Before the first session, with a session next or live; after the last, none."""
    only = factory.session(festival)  # the festival's one session: nothing comes after it
    person = factory.user()
    factory.registration(only, person, "confirmed", BEFORE)
    readers = {"visitor": app.test_client(), "reader": login(app.test_client(), person)}
    for instant, phase, counts_down in (
        (BEFORE, "before", True),
        (only.starts_at - timedelta(hours=2), "during", True),  # nothing live, one next
        (only.starts_at + timedelta(minutes=5), "during", True),  # live, nothing next
        (only.ends_at, "after", False),
        (AFTER, "after", False),
    ):
        clock.set(instant)
        for who, client in readers.items():
            html = main(page(client))
            assert f'data-festival-phase="{phase}"' in html, (instant, who)
            assert_explains_countdowns(html, counts_down)


def test_a_front_page_with_nothing_to_count_to_does_not_explain_countdowns(
    app, clock, factory, festival, login
) -> None:
    """A festival whose only session is cancelled has no first session, nothing live and
    nothing next, before its days, during them or after."""
    cancelled = factory.session(festival, status="cancelled")
    person = factory.user()
    factory.registration(cancelled, person, "confirmed", BEFORE)
    readers = {"visitor": app.test_client(), "reader": login(app.test_client(), person)}
    for instant, phase in ((BEFORE, "before"), (NOW, "during"), (AFTER, "after")):
        clock.set(instant)
        for who, client in readers.items():
            html = main(page(client))
            assert f'data-festival-phase="{phase}"' in html, (instant, who)
            assert_explains_countdowns(html, counts_down=False)


def test_front_page_queries_do_not_grow_with_the_programme(
    client, clock, factory, festival, login
) -> None:
    person = factory.user()
    host = factory.user()
    login(client, person)
    clock.set(NOW)

    def queries_with(sessions: int) -> int:
        for n in range(sessions):
            made = factory.session(
                festival, starts_at=NOW + timedelta(minutes=15 * n - 30), hosts=[host]
            )
            factory.registration(made, person, "confirmed", BEFORE)
        # Every kept copy is read again, so both sizes start alike.
        clock.advance(timedelta(seconds=UNTOLD_S))
        with counted() as building:
            assert client.get("/").status_code == 200
        # The same second: the page everyone shares is kept, only the reader's parts are not.
        with counted() as reading:
            assert client.get("/").status_code == 200
        assert len(reading) < len(building)
        # The reader's parts show the festival's time zone: read once, whichever asks.
        assert sum("FROM festivals" in statement for statement in reading) == 1, reading
        return len(building), len(reading)

    few = queries_with(3)
    many = queries_with(30)
    assert many == few, (few, many)


def test_visitors_share_the_front_page_built_in_the_same_second(
    app, client, clock, factory, festival
) -> None:
    """A visitor's front page is built once a second (its countdowns read to the second) and
    served to every visitor in it without a template or a query; only the server's time, for
    the page's clock, is the instant each was served."""
    from flask import template_rendered

    day = festival_day(factory, festival)
    clock.set(NOW)
    first = page(client)
    assert f'data-server-now="{to_epoch_ms(NOW)}"' in first
    assert "25:00" in section(first, "live-title")
    rendered: list[object] = []

    def record(sender: object, template: object, context: object, **extra: object) -> None:
        rendered.append(template)

    later = NOW + timedelta(milliseconds=400)
    clock.set(later)
    template_rendered.connect(record, app)
    try:
        with counted() as statements:
            again = page(app.test_client())
    finally:
        template_rendered.disconnect(record, app)
    assert rendered == [] and statements == []
    assert again == first.replace(str(to_epoch_ms(NOW)), str(to_epoch_ms(later)))
    assert "networkfest-server-now-slot" not in again and "csrf" not in again

    clock.set(NOW + timedelta(seconds=1))
    assert "24:59" in section(page(client), "live-title")
    assert live_links(first) == {day.live, day.live_too}


def test_a_visitors_front_page_follows_the_programme_within_the_second(
    client, clock, factory, festival
) -> None:
    """A change to the programme in the same second is not hidden by the page kept for it."""
    factory.session(festival, starts_at=NOW + timedelta(minutes=30), title="Soon")
    clock.set(NOW)
    assert "Sooner" not in page(client)
    factory.session(festival, starts_at=NOW + timedelta(minutes=20), title="Sooner")
    assert "Sooner" in section(page(client), "next-title")


# The programme's marks ---------------------------------------------------------------


def test_schedule_marks_live_lobby_and_ended_sessions(client, clock, factory, festival) -> None:
    day = festival_day(factory, festival)
    clock.set(NOW)
    html = main(page(client, "/schedule"))
    assert live_links(html) == {day.live, day.live_too}
    assert html.count("Live now") == 2 and "until 10:25 BST" in text(html)
    assert html.count("Starting soon") == 1 and "lobby open, starts 10:05 BST" in text(html)
    assert html.count(">Ended<") == 1
    assert "session-card--live" in html and "session-card--starting-soon" in html
    # "Jump to now" lands on the first session not over: the live one that started first.
    assert 'href="#now"' in html
    now_card = html[html.index('id="now"') :]
    assert now_card.index(f'href="/sessions/{day.live}"') < now_card.index("</article>")


def test_schedule_before_and_after_has_no_live_links_and_no_jump(
    client, clock, factory, festival
) -> None:
    festival_day(factory, festival)
    for instant in (BEFORE, AFTER):
        clock.set(instant)
        html = main(page(client, "/schedule"))
        assert live_links(html) == set()
        assert 'href="#now"' not in html and 'id="now"' not in html
    assert main(page(client, "/schedule")).count(">Ended<") == 6  # the cancelled one is not


def test_schedule_shows_the_signed_in_persons_places(
    client, clock, factory, festival, login
) -> None:
    open_one = factory.session(festival, title="Open one")
    full = factory.session(festival, capacity=1, title="Full one")
    person = factory.user()
    factory.registration(open_one, person, "confirmed", BEFORE)
    factory.registration(full, factory.user(), "confirmed", BEFORE)
    factory.registration(full, factory.user(), "waitlisted", BEFORE)
    factory.registration(full, person, "waitlisted", BEFORE + timedelta(minutes=1))
    clock.set(BEFORE)
    assert "Registered" not in page(client, "/schedule")
    login(client, person)
    html = main(page(client, "/schedule"))
    assert html.count(">Registered<") == 1 and "Waitlisted, position 2" in html


def test_schedule_etag_follows_the_marks(client, clock, factory, festival, login) -> None:
    session = factory.session(festival, capacity=1)
    clock.set(session.starts_at - timedelta(hours=1))
    etag = client.get("/schedule").headers["ETag"]
    clock.advance(timedelta(minutes=30))  # nothing changes: still only scheduled
    assert client.get("/schedule", headers={"If-None-Match": etag}).status_code == 304
    for moment in (timedelta(minutes=25), timedelta(minutes=10), timedelta(minutes=45)):
        clock.advance(moment)  # the lobby opens, it goes live, it ends
        response = client.get("/schedule", headers={"If-None-Match": etag})
        assert response.status_code == 200, moment
        etag = response.headers["ETag"]

    # A move up the waitlist changes a signed-in person's page.
    first, person = factory.user(), factory.user()
    factory.registration(session, factory.user(), "confirmed", BEFORE)
    ahead = factory.registration(session, first, "waitlisted", BEFORE)
    factory.registration(session, person, "waitlisted", BEFORE + timedelta(minutes=1))
    login(client, person)
    response = client.get("/schedule")
    assert "Waitlisted, position 2" in response.get_data(as_text=True)
    etag = response.headers["ETag"]
    assert client.get("/schedule", headers={"If-None-Match": etag}).status_code == 304
    ahead.status = "cancelled"
    db.session.commit()
    response = client.get("/schedule", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Waitlisted, position 1" in response.get_data(as_text=True)


def test_session_page_marks(client, clock, factory, festival, login) -> None:
    day = festival_day(factory, festival)
    clock.set(NOW)
    live = main(page(client, f"/sessions/{day.live}"))
    assert "Live now" in live and "until 10:25 BST" in text(live)
    assert f'href="/sessions/{day.live}/live"' in live  # the page's own button
    assert "Starting soon" in main(page(client, f"/sessions/{day.lobby}"))
    assert ">Ended<" in main(page(client, f"/sessions/{day.ended}"))
    later = main(page(client, f"/sessions/{day.later}"))
    assert "Live now" not in later and "Starting soon" not in later and ">Ended<" not in later


def test_agenda_marks(client, clock, factory, festival, login) -> None:
    live = factory.session(festival, starts_at=NOW - timedelta(minutes=10), title="Live one")
    ended = factory.session(festival, starts_at=NOW - timedelta(hours=2), title="Ended one")
    later = factory.session(festival, starts_at=NOW + timedelta(hours=2), title="Later one")
    person = factory.user()
    for session in (live, ended, later):
        factory.registration(session, person, "confirmed", BEFORE)
    login(client, person)
    clock.set(NOW)
    html = main(page(client, "/me/agenda"))
    assert html.count("Live now") == 1 and html.count(">Ended<") == 1
    assert "Live now until 10:35 BST" in text(html)
    assert html.count("Join the room") == 1  # the agenda's own way in, not a second link


def test_a_host_s_next_session_is_the_one_they_host(
    client, clock, factory, festival, login
) -> None:
    """A host holds no place in their own session, but it is theirs: the front page and the
    programme's marks say so."""
    day = festival_day(factory, festival)
    host = factory.user()
    later = session_by_slug(db.session, day.later)
    later.hosts.append(host)
    db.session.commit()
    login(client, host)
    clock.set(NOW)
    yours = section(main(page(client)), "yours-title")
    assert "Later one" in yours and "You host this" in yours
    schedule = client.get("/schedule").get_data(as_text=True)
    assert schedule.count("You host this") == 1
