"""The calls the fake Slack and Telegram APIs record, and the answers a test can script for them.

`FakePlatformAPI.script(platform, method, *answers, where=...)` (tests/fake_platform_api.py) hands
`answers` out, in order, to the next calls of `method` that match `where` (say, one chat); once they
are used up, calls are answered ok again. Each is what the real API sends in that situation:
`slack_rate_limited(1)` (429 with Retry-After: 1), `server_error()`, `slack_refusal("channel_not_found")`,
`telegram_error(403, "Forbidden: bot was blocked by the user")`, `telegram_error(429, ..., retry_after=1)`,
or DROP, a connection closed without any answer. Each recorded Call keeps the status it got, so a
test can tell the tries from the one that succeeded.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass
class Call:
    platform: str  # "slack" or "telegram"
    method: str  # "chat.postMessage", "sendMessage", ...
    params: Dict[str, Any]
    headers: Dict[str, str]
    token: Optional[str] = None
    at: float = field(default_factory=time.monotonic)
    status: Optional[int] = None  # the HTTP status it was answered with; None if it got no answer
    body: Optional[Dict[str, Any]] = None

    @property
    def succeeded(self) -> bool:
        """Answered 200 with `ok: true`: the platform took it."""
        return self.status == 200 and bool((self.body or {}).get("ok"))


@dataclass(frozen=True)
class Answer:
    """A scripted answer: HTTP `status` (DROP_STATUS: close the connection unanswered), JSON `body`,
    extra `headers`. A body of None means the answer the API gives when all is well."""

    status: int = 200
    body: Optional[Dict[str, Any]] = None
    headers: Dict[str, str] = field(default_factory=dict)


DROP_STATUS = 0
OK = Answer()
DROP = Answer(DROP_STATUS)


def slack_rate_limited(seconds: int) -> Answer:
    """Slack's 429: Retry-After in a header."""
    return Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)})


def slack_refusal(error: str) -> Answer:
    """Slack's refusal: HTTP 200 with `ok: false` and the reason, e.g. channel_not_found, msg_too_long."""
    return Answer(200, {"ok": False, "error": error})


def telegram_error(code: int, description: str, retry_after: Optional[int] = None) -> Answer:
    """The Bot API's error answer; a 429 carries `parameters.retry_after`."""
    body: Dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return Answer(code, body)


def server_error(status: int = 500) -> Answer:
    """A 5xx with a JSON error body (both APIs answer JSON even then)."""
    return Answer(status, {"ok": False, "error": "internal_error", "error_code": status,
                           "description": "Internal Server Error"})
