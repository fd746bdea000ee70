"""`/me/commitments` and the follow-up links' pages through Flask's test client."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.commitments import links
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import Answer
from networkfest.extensions import db
from tests.commitments.helpers import ENDS, commit_to, ended_session

SENT = ENDS + timedelta(weeks=4)


def the_commitment():
    db.session.rollback()
    return db.session.scalars(select(Commitment)).one()


def link_path(cid: int, user_id: int, answer: Answer = Answer.DONE) -> str:
    return urlsplit(links.follow_up_url(cid, user_id, answer, SENT)).path


def test_the_page_lists_the_words_due_date_and_answer_buttons(factory, signed_in):
    ended = ended_session(factory)
    commit_to(ended.session_id, ended.owner_id, "Timebox <every> item")
    owner = db.session.get(User, ended.owner_id)

    page = signed_in(owner).get("/me/commitments")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Network bingo" in html
    assert "Timebox &lt;every&gt; item" in html and "<every>" not in html
    # Due four weeks after the end, shown in the festival's time zone.
    assert "Monday 19 October, 10:45 BST" in html
    for label in ("Done", "Partly", "Not yet"):
        assert f">{label}</button>" in html
    assert "E-mail me follow-ups" in html


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/me/commitments")
    assert response.status_code == 302 and "/login" in response.location


def test_the_owner_edits_answers_and_changes_the_answer(factory, signed_in, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First words")
    client = signed_in(db.session.get(User, ended.owner_id))
    clock.set(SENT)

    edited = client.post(f"/me/commitments/{cid}/text", data={"text": "  Better words "})
    answered = client.post(
        f"/me/commitments/{cid}/answer", data={"answer": "partly", "note": "Half"}
    )
    changed = client.post(f"/me/commitments/{cid}/answer", data={"answer": "done", "note": ""})

    assert [r.status_code for r in (edited, answered, changed)] == [303, 303, 303]
    row = the_commitment()
    assert (row.text, row.answer, row.note, row.answered_at) == ("Better words", "done", "", SENT)
    page = client.get("/me/commitments").get_data(as_text=True)
    assert "Your answer: <strong>Done</strong>" in page


def test_bad_input_gets_a_clear_message_and_a_400(factory, signed_in):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First words")
    client = signed_in(db.session.get(User, ended.owner_id))

    long_text = client.post(f"/me/commitments/{cid}/text", data={"text": "x" * 501})
    empty = client.post(f"/me/commitments/{cid}/text", data={"text": "   "})
    bad_answer = client.post(f"/me/commitments/{cid}/answer", data={"answer": "maybe"})
    long_note = client.post(
        f"/me/commitments/{cid}/answer", data={"answer": "done", "note": "x" * 1001}
    )

    assert [r.status_code for r in (long_text, empty, bad_answer, long_note)] == [400] * 4
    assert "Please keep your commitment to 500 characters." in long_text.get_data(as_text=True)
    assert "Please write what you will do differently." in empty.get_data(as_text=True)
    assert "Not a valid choice" in bad_answer.get_data(as_text=True) or "Please choose" in (
        bad_answer.get_data(as_text=True)
    )
    assert "Please keep your note to 1000 characters." in long_note.get_data(as_text=True)
    row = the_commitment()
    assert (row.text, row.answer) == ("First words", None)


def test_someone_elses_commitment_is_a_404(factory, signed_in):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First words")
    other = signed_in(db.session.get(User, ended.other_id))

    assert other.post(f"/me/commitments/{cid}/text", data={"text": "Mine"}).status_code == 404
    assert other.post(f"/me/commitments/{cid}/answer", data={"answer": "done"}).status_code == 404
    assert "First words" not in other.get("/me/commitments").get_data(as_text=True)
    assert the_commitment().text == "First words"


def test_the_switch_turns_follow_up_mails_off_and_on(factory, signed_in):
    ended = ended_session(factory)
    client = signed_in(db.session.get(User, ended.owner_id))

    off = client.post("/me/commitments/follow-up-mails", data={})
    assert off.status_code == 303
    db.session.rollback()
    assert db.session.get(User, ended.owner_id).follow_up_mails is False
    assert 'name="follow_up_mails" value="y">' in client.get("/me/commitments").get_data(
        as_text=True
    )

    client.post("/me/commitments/follow-up-mails", data={"follow_up_mails": "y"})
    db.session.rollback()
    assert db.session.get(User, ended.owner_id).follow_up_mails is True


def test_opening_a_link_changes_nothing_and_confirming_saves_once(factory, client, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox every item")
    path = link_path(cid, ended.owner_id, Answer.PARTLY)
    clock.set(SENT + timedelta(days=1))

    opened = client.get(path)
    opened_again = client.get(path)  # a mail scanner, then the person
    assert opened.status_code == opened_again.status_code == 200
    html = opened.get_data(as_text=True)
    assert "Timebox every item" in html
    assert 'value="partly" required checked' in html
    assert ">Confirm</button>" in html
    assert the_commitment().answer is None

    confirmed = client.post(path, data={"answer": "partly", "note": "Most items"})
    assert confirmed.status_code == 200
    assert "Partly" in confirmed.get_data(as_text=True)
    row = the_commitment()
    assert (row.answer, row.note) == ("partly", "Most items")

    again = client.post(path, data={"answer": "done"})
    reopened = client.get(link_path(cid, ended.owner_id, Answer.DONE))
    assert again.status_code == reopened.status_code == 409
    assert "/me/commitments" in reopened.get_data(as_text=True)
    assert "used already" in reopened.get_data(as_text=True)
    assert the_commitment().answer == "partly"


def test_the_owner_signed_in_may_use_the_link(factory, signed_in, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    client = signed_in(db.session.get(User, ended.owner_id))
    clock.set(SENT)

    response = client.post(link_path(cid, ended.owner_id), data={"answer": "done"})

    assert response.status_code == 200
    assert the_commitment().answer == "done"


def test_a_link_for_someone_else_is_refused(factory, signed_in, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    other = signed_in(db.session.get(User, ended.other_id))
    clock.set(SENT)
    path = link_path(cid, ended.owner_id)

    opened = other.get(path)
    posted = other.post(path, data={"answer": "done"})
    # A link naming the other person for this commitment does not pass either.
    forged_owner = other.get(link_path(cid, ended.other_id))

    assert opened.status_code == posted.status_code == 403
    assert "sent to someone else" in opened.get_data(as_text=True)
    assert forged_owner.status_code == 404
    assert the_commitment().answer is None


def test_expired_forged_and_mangled_links_get_a_clear_page(factory, client, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    path = link_path(cid, ended.owner_id)

    clock.set(SENT + timedelta(days=60, seconds=1))
    expired = client.get(path)
    expired_post = client.post(path, data={"answer": "done"})
    clock.set(SENT)
    mangled = client.get(path[:-3] + "abc")
    forged = client.get("/commitments/follow-up/not.a.link")

    assert expired.status_code == expired_post.status_code == 410
    assert "expired" in expired.get_data(as_text=True)
    assert mangled.status_code == forged.status_code == 400
    assert "This link is not valid" in forged.get_data(as_text=True)
    assert the_commitment().answer is None


def test_confirming_validates_on_the_server(factory, client, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    path = link_path(cid, ended.owner_id)
    clock.set(SENT)

    bad = client.post(path, data={"answer": "everything"})
    too_long = client.post(path, data={"answer": "done", "note": "x" * 1001})

    assert bad.status_code == too_long.status_code == 400
    assert "Please keep your note to 1000 characters." in too_long.get_data(as_text=True)
    assert the_commitment().answer is None
