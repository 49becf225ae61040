"""Rating in `make shell`: a typed /not_helpful rates the latest answer, a second rating is refused, and
the conversation store (a SQLite file of this test's own) keeps exactly one `feedback` event.

scripts/shell.sh runs through a pseudo-terminal as in tests/test_shell.py; the store is read directly.
"""
import pytest
import sqlalchemy as sa

from tests.stack import stored_events
from tests.test_shell import PROMPT, UP, pick, shell, stop


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    store = f"sqlite:///{tmp_path_factory.mktemp('shell-feedback') / 'conversations.db'}"
    with shell("shell-feedback.log", DB_URL=store, REDIS_URL="") as child:
        child.store = store
        yield child


def feedback_events(store):
    engine = sa.create_engine(store)
    try:
        with engine.connect() as connection:
            senders = [s for (s,) in connection.execute(sa.text("SELECT DISTINCT sender_id FROM events"))]
    finally:
        engine.dispose()
    assert len(senders) == 1, senders  # the shell's one conversation
    events = stored_events(store, senders[0])
    return events, [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "feedback"]


def test_typed_ratings_in_the_shell(session):
    child = session
    child.send("what are the shift timings\r")
    child.expect("night and rotating shifts")
    pick(child, UP)  # leave the follow-up menu for free text
    child.expect(PROMPT)

    child.send("/not_helpful\r")
    child.expect("What were you looking for\\?")
    child.expect(PROMPT)
    child.send("/helpful\r")  # the same latest answer, rated already
    child.expect("nothing more to record")
    child.expect(PROMPT)
    # The dialogue goes on as if no rating had been typed.
    child.send("what are the shift timings\r")
    child.expect("night and rotating shifts")
    pick(child, UP)
    child.expect(PROMPT)

    stop(child)

    events, ratings = feedback_events(child.store)
    assert len(ratings) == 1, ratings
    [rating] = ratings
    assert rating["rating"] == "not_helpful"
    assert "night and rotating shifts" in rating["answer_text"]
    rated = [e for e in events if e.get("event") == "bot" and (e.get("metadata") or {}).get("answer_id")]
    assert rating["answer_id"] == rated[0]["metadata"]["answer_id"]
