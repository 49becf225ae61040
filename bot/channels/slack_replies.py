"""Slack's side of a reply: chat.postMessage with text and Block Kit buttons, retried by the shared policy.

`SlackReplies` is the output channel (`bot.channels.slack.SlackChannel` makes one per message).
Retries use slack_sdk's own hook: `PolicyRetryHandler` is an `AsyncRetryHandler` given to the
AsyncWebClient, so the waiting happens inside slack_sdk's request loop, and the handler only decides,
through `bot.channels.retry.RetryPolicy`, whether and how long. slack_sdk's built-in
AsyncRateLimitErrorRetryHandler is not used because its wait has no cap and adds up to a second of
jitter; its AsyncServerErrorRetryHandler only knows 500 and 503.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.slack import SlackBot
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.feedback_controls import EMOJI, LABELS, rating_payload
from bot.channels.retry import (PERMANENT, RATE_LIMITED, TRANSIENT, UNANSWERED, Failure, RetryPolicy, log_not_sent,
                                log_retry)
from bot.channels.shared import split_text
from bot.feedback import ANSWER_ID, RATINGS

logger = logging.getLogger(__name__)

# A section block holds at most 3000 characters; a button label 75; an actions block 25 elements.
SECTION_LIMIT = 3000
BUTTON_TITLE_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
# The 👍/👎 block of a rateable answer, and the line that replaces it once a rating is counted.
FEEDBACK_BLOCK = "feedback"
RATED_BLOCK = "feedback_given"


def slack_escape(text: str) -> str:
    """`text` safe to show in a Slack message: &, < and > escaped."""
    # Slack reads &, < and > in message text as markup; everything else is shown as written.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def retry_after(response: HttpResponse) -> Optional[float]:
    """The Retry-After header of `response` in seconds; None if absent or unreadable."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return float(values[0])
            except ValueError:
                return None
    return None


def failure_of(response: Optional[HttpResponse], error: Optional[Exception]) -> Optional[Failure]:
    """What went wrong, for the retry decision: a Failure if worth retrying, else None."""
    if response is not None:
        if response.status_code == 429:
            return Failure(RATE_LIMITED, "HTTP 429", retry_after(response))
        if response.status_code >= 500:
            return Failure(TRANSIENT, f"HTTP {response.status_code}")
        return None
    # A refused or dropped connection; a timeout is an asyncio.TimeoutError (aiohttp's
    # ServerTimeoutError is both) and is not retried: Slack may have posted the message already.
    if isinstance(error, aiohttp.ClientConnectionError) and not isinstance(error, asyncio.TimeoutError):
        return Failure(TRANSIENT, type(error).__name__)
    return None


class PolicyRetryHandler(AsyncRetryHandler):
    """slack_sdk retry handler that follows the shared RetryPolicy (429, 5xx, connection errors)."""

    def __init__(self, policy: RetryPolicy) -> None:
        # slack_sdk stops asking once state.current_attempt reaches max_retry_count.
        super().__init__(max_retry_count=policy.retries)
        self.policy = policy

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: Optional[HttpResponse] = None, error: Optional[Exception] = None) -> bool:
        return failure_of(response, error) is not None

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: Optional[HttpResponse] = None,
                                             error: Optional[Exception] = None) -> None:
        failure = failure_of(response, error) or Failure(TRANSIENT, "unknown")
        wait = self.policy.wait(state.current_attempt, failure.retry_after) or 0.0
        log_retry("Slack", request.url.rsplit("/", 1)[-1], failure, wait, state.current_attempt, self.policy.retries)
        state.next_attempt_requested = True
        await asyncio.sleep(wait)
        state.increment_current_attempt()


def button_blocks(buttons: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Block Kit actions blocks for Rasa buttons (title, payload): 25 a block, labels cut to fit."""
    elements = []
    for number, button in enumerate(buttons):
        title = str(button.get("title") or button.get("payload") or "")
        if len(title) > BUTTON_TITLE_LIMIT:
            title = title[:BUTTON_TITLE_LIMIT - 1] + "…"
        value = str(button.get("payload") or title)[:BUTTON_VALUE_LIMIT]
        elements.append({"type": "button", "action_id": f"answer_button_{number}",
                         "text": {"type": "plain_text", "text": title, "emoji": True}, "value": value})
    return [{"type": "actions", "elements": elements[start:start + BUTTONS_PER_BLOCK]}
            for start in range(0, len(elements), BUTTONS_PER_BLOCK)]


def feedback_block(answer_id: str) -> Dict[Text, Any]:
    """The actions block with 👍 and 👎 for the answer `answer_id`; each value is its rating payload."""
    return {"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": [
        {"type": "button", "action_id": f"feedback_{rating}", "value": rating_payload(rating, answer_id),
         "text": {"type": "plain_text", "text": EMOJI[rating], "emoji": True},
         "accessibility_label": LABELS[rating]} for rating in RATINGS]}


def rated_blocks(blocks: List[Dict[Text, Any]], rating: str, user: Optional[Text]) -> List[Dict[Text, Any]]:
    """A rated message's blocks: the 👍/👎 block replaced by a line saying who rated it how."""
    who = f" by <@{user}>" if user else ""
    line = {"type": "context", "block_id": RATED_BLOCK,
            "elements": [{"type": "mrkdwn", "text": f"{EMOJI[rating]} Rated {LABELS[rating].lower()}{who}. Thanks!"}]}
    return [b for b in blocks if b.get("block_id") not in (FEEDBACK_BLOCK, RATED_BLOCK)] + [line]


class SlackReplies(SlackBot):
    """Posts the bot's replies with chat.postMessage: text plus Block Kit, in a thread when asked.

    A message Slack does not take is logged and skipped (see bot.channels.retry); sending never raises.
    """

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_base_url: Optional[Text] = None,
                 retry: Optional[RetryPolicy] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.retry = retry or RetryPolicy()
        options = {"base_url": api_base_url} if api_base_url else {}
        # Replaces the stock client: ours carries the retry handler (and the API address, if given).
        self.client = AsyncWebClient(token, proxy=proxy, retry_handlers=[PolicyRetryHandler(self.retry)], **options)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        await self._call("chat.postMessage", channel=channel, **kwargs)

    async def _call(self, method: Text, channel: Text, **kwargs: Any) -> None:
        """Web API `method` (chat.postMessage, chat.update) for `channel`; failures are logged, not raised."""
        tries = self.retry.retries + 1
        try:
            # slack_sdk's own method (chat_postMessage, chat_update) tidies the arguments as Slack wants them.
            await getattr(self.client, method.replace(".", "_"))(channel=channel, **kwargs)
        except SlackApiError as error:
            status, data = error.response.status_code, error.response.data
            # Slack's reason (channel_not_found, msg_too_long, ratelimited, ...) never names the token.
            said = data.get("error") if isinstance(data, dict) else None
            reason = f"{said or 'no reason given'} (HTTP {status}, channel {channel})"
            if status == 429 or status >= 500:
                log_not_sent("Slack", method, Failure(TRANSIENT, reason), tries)
            else:
                log_not_sent("Slack", method, Failure(PERMANENT, reason), 1)
        except Exception as error:  # connection trouble after the retries, a timeout, an unreadable answer
            kind = TRANSIENT if failure_of(None, error) else (
                UNANSWERED if isinstance(error, asyncio.TimeoutError) else PERMANENT)
            log_not_sent("Slack", method, Failure(kind, f"{type(error).__name__} (channel {channel})"),
                         tries if kind == TRANSIENT else 1)

    async def _post_pieces(self, recipient_id: Text, text: Optional[Text],
                           buttons: Optional[List[Dict[Text, Any]]] = None, answer_id: Optional[Text] = None) -> None:
        channel = self.slack_channel or recipient_id
        pieces = split_text(text, SECTION_LIMIT) or ([""] if buttons else [])
        for number, piece in enumerate(pieces, 1):
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(piece)}}] if piece else []
            if number == len(pieces):
                # The rating controls get a block of their own, after the follow-ups, on the last piece.
                blocks += button_blocks(buttons or []) + ([feedback_block(answer_id)] if answer_id else [])
            # `text` is what notifications and screen readers show; the blocks are what the chat shows.
            fallback = slack_escape(piece) or " ".join(b.get("title", "") for b in buttons or [])
            await self._post_message(channel=channel, text=fallback, blocks=blocks)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post_pieces(recipient_id, text, answer_id=kwargs.get(ANSWER_ID))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._post_pieces(recipient_id, text, buttons, kwargs.get(ANSWER_ID))

    async def show_rating(self, channel: Text, ts: Text, message: Dict[Text, Any], rating: str,
                          user: Optional[Text]) -> None:
        """chat.update of the rated message (`ts` in `channel`, as the click payload showed it: text,
        blocks): its 👍/👎 give way to the rating. Does nothing without blocks; never raises."""
        if message.get("blocks"):
            await self._call("chat.update", channel=channel, ts=ts, text=message.get("text") or " ",
                             blocks=rated_blocks(message["blocks"], rating, user))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        block = {"type": "image", "image_url": image, "alt_text": image}
        await self._post_message(channel=self.slack_channel or recipient_id, text=image, blocks=[block])

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        message = dict(json_message)
        channel = message.pop("channel", self.slack_channel or recipient_id)
        await self._post_message(channel=channel, **message)
