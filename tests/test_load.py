"""70 conversations at once, 20 turns each, to the bot as `make run` starts it (scripts/serve.sh,
conversations in a SQLite file): 50 over REST and 20 over the web chat's endpoint, all at the same
time. No request fails, no turn is lost, no reply reaches the wrong conversation (across channels
too), and every turn is in the store afterwards.
Loopback only and bounded: 1,400 turns, 60 s at most per request."""
import asyncio
import uuid

import pytest

from bot.channels.webchat import SENDER_PREFIX
from measure import loadtest
from tests.stack import Serve, store_url, stored_events, turns_are_serial, user_texts

REST_CONVERSATIONS, WEBCHAT_CONVERSATIONS, TURNS = 50, 20, 20


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('load') / 'conversations.db'}"
    serve = Serve(db_url, name="serve-load")
    try:
        yield serve, store_url(db_url)
    finally:
        serve.stop()


async def both_channels_at_once(url, rest_scripts, webchat_scripts):
    return await asyncio.gather(loadtest.run(url, rest_scripts, channel=loadtest.REST),
                                loadtest.run(url, webchat_scripts, channel=loadtest.WEBCHAT))


def assert_all_answered_and_stored(result, scripts, db, stored_as=lambda sender: sender):
    assert not result.failed, result.failed[:5]
    assert not result.lost, result.lost[:5]
    assert not result.wrong, result.wrong[:5]
    assert len(result.latencies) == sum(len(script) for script in scripts.values())

    for sender, script in scripts.items():
        events = stored_events(db, stored_as(sender))
        assert user_texts(events) == [message for message, _ in script], sender
        assert [e["text"] for e in events if e["event"] == "bot"] == [expected for _, expected in script], sender
        assert turns_are_serial(events), sender


def test_seventy_conversations_on_two_channels_lose_nothing_and_mix_nothing_up(bot):
    serve, db = bot
    # One pool of scripts, so REST and web chat conversations walk the roles in different orders
    # and a reply crossing channels cannot pass for the right one.
    scripts = loadtest.project_scripts(REST_CONVERSATIONS + WEBCHAT_CONVERSATIONS, TURNS)
    rest = loadtest.named(f"load-{uuid.uuid4().hex[:6]}", scripts[:REST_CONVERSATIONS])
    webchat = loadtest.browser_named(scripts[REST_CONVERSATIONS:])

    rest_result, webchat_result = asyncio.run(both_channels_at_once(serve.url, rest, webchat))
    print("REST:", rest_result.summary())
    print("web chat:", webchat_result.summary())

    assert_all_answered_and_stored(rest_result, rest, db)
    assert_all_answered_and_stored(webchat_result, webchat, db, stored_as=lambda sender: SENDER_PREFIX + sender)


def test_no_two_load_conversations_say_the_same_things():
    # The web chat's replies name no recipient, so only different scripts make a crossed reply show.
    scripts = loadtest.project_scripts(REST_CONVERSATIONS + WEBCHAT_CONVERSATIONS, TURNS)
    assert len({tuple(script) for script in scripts}) == len(scripts)
