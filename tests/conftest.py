import pytest

from tests.fake_platform_api import shared_platform_bot


@pytest.fixture(scope="session")
def bot(pytestconfig):
    """The real bot over REST: action server + Rasa server with the trained model.

    One server for the whole session, shared with the Slack and Telegram tests (it mounts every
    channel, pointed at local fake platform APIs): each Rasa start costs tens of seconds here.
    """
    shared = shared_platform_bot(pytestconfig)
    client = shared.rest
    client.rasa, client.actions = shared.rasa, shared.actions
    return client
