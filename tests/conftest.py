import pytest

from tests.servers import running_bot


@pytest.fixture(scope="session")
def bot():
    """The real bot: action server + Rasa server with the trained model, over REST."""
    with running_bot() as client:
        yield client
