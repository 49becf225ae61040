"""50 conversations at once, 20 turns each, over REST to the bot as `make run` starts it
(scripts/serve.sh, conversations in a SQLite file): no request fails, no turn is lost, no reply
reaches the wrong conversation, and every turn is in the store afterwards.
Loopback only and bounded: 1,000 turns, 60 s at most per request."""
import uuid

import pytest

from tests import loadtest
from tests.stack import Serve, store_url, stored_events, turns_are_serial, user_texts

CONVERSATIONS, TURNS = 50, 20


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('load') / 'conversations.db'}"
    serve = Serve(db_url, name="serve-load")
    try:
        yield serve, store_url(db_url)
    finally:
        serve.stop()


def test_fifty_conversations_at_once_lose_nothing_and_mix_nothing_up(bot):
    serve, db = bot
    scripts = loadtest.named(f"load-{uuid.uuid4().hex[:6]}", loadtest.project_scripts(CONVERSATIONS, TURNS))
    result = loadtest.run_blocking(f"{serve.url}/webhooks/rest/webhook", scripts)
    print(result.summary())

    assert not result.failed, result.failed[:5]
    assert not result.lost, result.lost[:5]
    assert not result.wrong, result.wrong[:5]
    assert len(result.latencies) == CONVERSATIONS * TURNS

    for sender, script in scripts.items():
        events = stored_events(db, sender)
        assert user_texts(events) == [message for message, _ in script], sender
        assert [e["text"] for e in events if e["event"] == "bot"] == [expected for _, expected in script], sender
        assert turns_are_serial(events), sender
