import os

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under `make test` (BPO_STRICT_TESTS=1) a skipped test counts as failed: that command prepares
    everything the tests need, so a skip there means something is missing, not optional."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("BPO_STRICT_TESTS") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under make test, which must run every test: {reason}"
