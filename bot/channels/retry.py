"""When a platform does not take a reply: the one retry policy the Slack and Telegram channels share.

A reply call ends in one of five ways, and each has one answer:
- taken: done, and never sent again;
- rate limited (HTTP 429): wait what the platform asks (`Retry-After`), at most `max_wait`, then retry;
- transient (HTTP 5xx, a connection refused or dropped): retry after `backoff`, doubling each time;
- refused for good (Slack `ok: false` such as channel_not_found, Telegram 400/403): log the reason
  once at warning level and never retry, because the same call would be refused the same way;
- unanswered (a timeout): log it, never retry: the platform may have posted the message before its
  answer was late, and a retry would show it twice. (A refused or dropped connection is retried:
  nearly always a kept-alive connection the platform had closed, so the request never arrived.)
Both retrying kinds share one budget of `retries` per call, so a message is given up (logged at
error level) after at most `retries` + 1 tries. Either way the rest of the reply is still sent.

The Slack channel plugs the policy into slack_sdk's own retry hook (`bot.channels.slack_replies`);
aiogram 2.15 has no retry mechanism, so the Telegram channel runs `call_with_retries` around each
call (`bot.channels.telegram_replies`). The limits come from the environment:
REPLY_RETRIES (3), REPLY_RETRY_BACKOFF_SECONDS (0.5), REPLY_MAX_WAIT_SECONDS (30).

Imports nothing from Rasa or the platform libraries, so it is tested on its own.
"""
from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping, Optional, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
RATE_LIMITED, TRANSIENT, PERMANENT, UNANSWERED = "rate limited", "transient", "permanent", "unanswered"
RETRIED = (RATE_LIMITED, TRANSIENT)
ENVIRONMENT = {"retries": "REPLY_RETRIES", "backoff": "REPLY_RETRY_BACKOFF_SECONDS",
               "max_wait": "REPLY_MAX_WAIT_SECONDS"}


@dataclass(frozen=True)
class Failure:
    """Why one platform call did not succeed: `kind` is RATE_LIMITED, TRANSIENT, PERMANENT or
    UNANSWERED; `reason` is safe to log (no token); `retry_after` is the platform's requested wait."""

    kind: str
    reason: str
    retry_after: Optional[float] = None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: `retries` per call, `backoff` seconds before the first retry
    of a transient failure (doubling), `max_wait` the longest any single wait may be."""

    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "RetryPolicy":
        """The policy with any limits set in `env` (see ENVIRONMENT); unset or empty ones keep their default.

        Raises ValueError naming the variable when a value is not a number or is negative.
        """
        values = {}
        for field, name in ENVIRONMENT.items():
            text = (env.get(name) or "").strip()
            if not text:
                continue
            try:
                value = int(text) if field == "retries" else float(text)
            except ValueError:
                raise ValueError(f"{name} must be a {'whole ' if field == 'retries' else ''}number, "
                                 f"not {text!r}") from None
            if value < 0:
                raise ValueError(f"{name} must not be negative")
            values[field] = value
        return cls(**values)

    def wait(self, retries_done: int, retry_after: Optional[float] = None) -> Optional[float]:
        """Seconds to wait before retry number `retries_done` + 1, or None when the budget is spent.

        `retry_after` (the platform's Retry-After) wins over the backoff; either is capped at `max_wait`.
        """
        if retries_done >= self.retries:
            return None
        wanted = retry_after if retry_after is not None else self.backoff * 2 ** retries_done
        return min(max(float(wanted), 0.0), self.max_wait)


def log_retry(platform: str, method: str, failure: Failure, wait: float, retries_done: int, retries: int) -> None:
    logger.info("%s did not take %s (%s: %s); retry %d of %d in %.1f s", platform, method, failure.kind,
                failure.reason, retries_done + 1, retries, wait)


def log_not_sent(platform: str, method: str, failure: Failure, tries: int) -> None:
    """The one log line for a message that will not arrive: warning if refused, error otherwise."""
    if failure.kind == PERMANENT:
        logger.warning("%s refused %s: %s; not retried, the rest of the reply goes on", platform, method,
                       failure.reason)
    elif failure.kind == UNANSWERED:
        logger.error("%s: %s got no answer (%s); not retried, as it may have arrived; the rest of the "
                     "reply goes on", platform, method, failure.reason)
    else:
        logger.error("%s: gave up on %s after %d tries (%s: %s); the rest of the reply goes on", platform,
                     method, tries, failure.kind, failure.reason)


async def call_with_retries(call: Callable[[], Awaitable[T]], classify: Callable[[BaseException], Failure],
                            policy: RetryPolicy, platform: str, method: str,
                            on_wait: Optional[Callable[[], None]] = None) -> Optional[T]:
    """Run `call()` until it succeeds, retrying as `policy` says; the result, or None if it was not sent.

    `classify` maps what `call` raised to a Failure. `on_wait` is told before every wait (the Telegram
    webhook answers the platform then, rather than keep it waiting). Never raises, except
    asyncio.CancelledError: a failure is logged once (see log_not_sent) and None returned.
    """
    retries_done = 0
    while True:
        try:
            return await call()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the platform libraries raise many kinds; classify sorts them
            failure = classify(error)
        wait = policy.wait(retries_done, failure.retry_after) if failure.kind in RETRIED else None
        if wait is None:
            log_not_sent(platform, method, failure, retries_done + 1)
            return None
        log_retry(platform, method, failure, wait, retries_done, policy.retries)
        if on_wait is not None:
            on_wait()
        await asyncio.sleep(wait)
        retries_done += 1
