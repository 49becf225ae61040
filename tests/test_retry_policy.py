"""The reply retry policy on its own (bot/channels/retry.py): no servers, no platform libraries.

How the channels apply it against the fake platform APIs: tests/test_slack_retries.py and
tests/test_telegram_retries.py.
"""
import asyncio

import pytest
from rasa.shared.exceptions import InvalidConfigException

from bot.channels.retry import (PERMANENT, RATE_LIMITED, TRANSIENT, UNANSWERED, Failure, RetryPolicy,
                                call_with_retries)


def test_defaults_are_three_retries_half_a_second_doubling_and_a_thirty_second_cap():
    policy = RetryPolicy()
    assert (policy.retries, policy.backoff, policy.max_wait) == (3, 0.5, 30.0)
    assert [policy.wait(n) for n in range(4)] == [0.5, 1.0, 2.0, None]


def test_retry_after_wins_over_the_backoff_and_every_wait_is_capped():
    policy = RetryPolicy(retries=5, backoff=4, max_wait=10)
    assert policy.wait(0, retry_after=2) == 2
    assert policy.wait(0, retry_after=120) == 10
    assert policy.wait(2) == 10  # 4 * 2**2 = 16, capped
    assert policy.wait(5, retry_after=1) is None  # the budget is shared by both kinds


def test_limits_come_from_the_environment():
    env = {"REPLY_RETRIES": "1", "REPLY_RETRY_BACKOFF_SECONDS": "0.25", "REPLY_MAX_WAIT_SECONDS": " 5 "}
    assert RetryPolicy.from_env(env) == RetryPolicy(retries=1, backoff=0.25, max_wait=5.0)
    assert RetryPolicy.from_env({"REPLY_RETRIES": ""}) == RetryPolicy()


@pytest.mark.parametrize("name, value", [("REPLY_RETRIES", "many"), ("REPLY_RETRIES", "2.5"),
                                         ("REPLY_MAX_WAIT_SECONDS", "-1")])
def test_a_bad_limit_is_refused_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        RetryPolicy.from_env({name: value})


def test_the_channels_refuse_a_bad_limit_at_start_up(monkeypatch):
    from bot.channels.slack import SlackChannel
    from bot.channels.telegram import TelegramChannel

    monkeypatch.setenv("REPLY_MAX_WAIT_SECONDS", "soon")
    with pytest.raises(InvalidConfigException, match="REPLY_MAX_WAIT_SECONDS"):
        SlackChannel.from_credentials({"slack_token": "xoxb-1", "slack_signing_secret": "s"})
    with pytest.raises(InvalidConfigException, match="REPLY_MAX_WAIT_SECONDS"):
        TelegramChannel.from_credentials({"access_token": "1:a", "verify": "b", "webhook_url": "https://x.test/"})


def run_calls(outcomes, policy):
    """call_with_retries over a call that fails with `outcomes` in turn (Failure kinds), then succeeds."""
    tries, waits = [], []

    async def call():
        tries.append(len(tries))
        if len(tries) <= len(outcomes):
            raise RuntimeError(outcomes[len(tries) - 1])
        return "sent"

    def classify(error):
        kind = str(error)
        return Failure(kind, kind, 0.01 if kind == RATE_LIMITED else None)

    result = asyncio.run(call_with_retries(call, classify, policy, "Test", "send", on_wait=lambda: waits.append(1)))
    return result, len(tries), len(waits)


def test_rate_limits_and_transient_failures_are_retried_until_sent():
    policy = RetryPolicy(retries=3, backoff=0.01)
    assert run_calls([RATE_LIMITED, TRANSIENT], policy) == ("sent", 3, 2)


def test_refusals_and_timeouts_are_tried_once(caplog):
    policy = RetryPolicy(retries=3, backoff=0.01)
    assert run_calls([PERMANENT], policy) == (None, 1, 0)
    assert run_calls([UNANSWERED], policy) == (None, 1, 0)
    refused = [r for r in caplog.records if "Test refused send" in r.getMessage()]
    assert [r.levelname for r in refused] == ["WARNING"]


def test_the_budget_ends_the_retries(caplog):
    assert run_calls([TRANSIENT] * 5, RetryPolicy(retries=2, backoff=0.01)) == (None, 3, 2)
    assert "gave up on send after 3 tries" in caplog.text
