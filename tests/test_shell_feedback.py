"""Rating in `make shell`: a typed /not_helpful rates the latest answer, a second rating is refused, and
the conversation store (a SQLite file of this test's own) keeps exactly one `feedback` event.

scripts/shell.sh runs through a pseudo-terminal as in tests/test_shell.py; the store is read directly.
"""
import os
import signal

import pytest
import sqlalchemy as sa

from tests.servers import LOGS, MODEL, ROOT, environment, free_port
from tests.stack import stored_events
from tests.test_shell import PROMPT, UP, pick

pexpect = pytest.importorskip("pexpect")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    store = f"sqlite:///{tmp_path_factory.mktemp('shell-feedback') / 'conversations.db'}"
    actions_port, rasa_port = free_port(), free_port()
    env = environment(ACTIONS_PORT=str(actions_port), RASA_PORT=str(rasa_port), DB_URL=store, REDIS_URL="",
                      ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                      TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    LOGS.mkdir(exist_ok=True)
    transcript = (LOGS / "shell-feedback.log").open("w")
    child = pexpect.spawn("bash", ["scripts/shell.sh", str(MODEL)], cwd=str(ROOT), env=env, encoding="utf-8",
                          codec_errors="replace", dimensions=(50, 220), timeout=60, logfile=transcript)
    child.store = store
    try:
        child.expect("Bot loaded", timeout=300)
        child.expect(PROMPT)
        yield child
    finally:
        if child.isalive():
            os.killpg(child.pid, signal.SIGTERM)
            child.close(force=True)
        transcript.close()


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

    child.send("/stop\r")
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0, child.before

    events, ratings = feedback_events(child.store)
    assert len(ratings) == 1, ratings
    [rating] = ratings
    assert rating["rating"] == "not_helpful"
    assert "night and rotating shifts" in rating["answer_text"]
    rated = [e for e in events if e.get("event") == "bot" and (e.get("metadata") or {}).get("answer_id")]
    assert rating["answer_id"] == rated[0]["metadata"]["answer_id"]
