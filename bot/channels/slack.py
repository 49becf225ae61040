"""Slack channel: Rasa's SlackInput with the gaps found on 3.6.21 closed.

Mounted at /webhooks/slack/webhook (Events API and interactivity both post there). Differences from
the stock channel, and why:
- every delivery is deduplicated by its event id for a bounded time, whatever the retry reason,
  because Slack retries after timeouts *and* errors and each retry would otherwise be answered;
- `application/json; charset=utf-8` is JSON too (the stock channel ignores it silently);
- the Web API address can be changed (`api_base_url`), for tests and proxies;
- replies go in the thread only when the question was asked in one, carry Block Kit buttons
  (more than five are allowed, up to Slack's 25 per block) and are split at Slack's block limit
  (`bot.channels.slack_replies`);
- a reply Slack rate-limits (429), fails (5xx) or cannot be sent (connection) is retried within
  bounds, one it refuses (`ok: false`) is logged and skipped (`bot.channels.retry`); the bot works
  in the background, so the webhook answers at once whatever the Web API does;
- a bad signature gets 401 and a url_verification gets `{"challenge": ...}` as Slack documents;
- a rateable answer carries 👍/👎 in an actions block of its own (block_id "feedback"); a press is a
  button click like the others, and once Rasa has counted it the rated message is updated
  (chat.update) to show the rating instead of the controls (`bot.channels.feedback_controls`).
"""
from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.feedback_controls import counted_rating, read_rating
from bot.channels.retry import RetryPolicy
from bot.channels.shared import RecentIds, typed_text
# The output side lives in slack_replies; these names stay importable from here.
from bot.channels.slack_replies import (BUTTON_TITLE_LIMIT, BUTTON_VALUE_LIMIT, BUTTONS_PER_BLOCK,  # noqa: F401
                                        SECTION_LIMIT, SlackReplies, button_blocks, slack_escape)

logger = logging.getLogger(__name__)

COMMANDS = {"start": "/greet", "help": "/ask_capabilities"}
# Message subtypes that are not a person asking something (edits, joins, bot posts, ...).
ANSWERED_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}
DEFAULT_DEDUPE_SECONDS = 1800


def media_type(request: Request) -> str:
    """The request's Content-Type without parameters, lower case ("" if none)."""
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


class SlackChannel(SlackInput):
    """Slack Events API + interactivity input, configured in credentials as `bot.channels.slack.SlackChannel`.

    Credentials: slack_token, slack_signing_secret (both required), slack_channel (a channel id where
    the bot answers every message, not only mentions), api_base_url, use_threads (always answer in a
    thread), conversation_granularity (sender | channel | thread), dedupe_seconds, proxy.
    Replies Slack does not take are retried as `retry` says (default: RetryPolicy.from_env()).
    """

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        for key in ("slack_token", "slack_signing_secret"):
            if not credentials.get(key):
                raise InvalidConfigException(f"The Slack channel needs `{key}` in its credentials.")
        return cls(
            slack_token=credentials["slack_token"],
            slack_channel=credentials.get("slack_channel") or None,
            proxy=credentials.get("proxy"),
            use_threads=str(credentials.get("use_threads", False)).lower() == "true",
            slack_signing_secret=credentials["slack_signing_secret"],
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            api_base_url=credentials.get("api_base_url") or None,
            dedupe_seconds=float(credentials.get("dedupe_seconds") or DEFAULT_DEDUPE_SECONDS),
        )

    def __init__(self, slack_token: Text, slack_channel: Optional[Text] = None, proxy: Optional[Text] = None,
                 use_threads: bool = False, slack_signing_secret: Text = "",
                 conversation_granularity: Optional[Text] = "sender", api_base_url: Optional[Text] = None,
                 dedupe_seconds: float = DEFAULT_DEDUPE_SECONDS, retry: Optional[RetryPolicy] = None) -> None:
        super().__init__(slack_token, slack_channel, proxy, use_threads=use_threads,
                         slack_signing_secret=slack_signing_secret,
                         conversation_granularity=conversation_granularity)
        # slack_sdk joins the base and the method name, so the base must end with a slash.
        self.api_base_url = api_base_url.rstrip("/") + "/" if api_base_url else None
        self.recent = RecentIds(seconds=dedupe_seconds)
        try:
            self.retry = retry or RetryPolicy.from_env()
        except ValueError as error:
            raise InvalidConfigException(str(error)) from None

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        """The replies for one message: to `channel` (else the configured one), in `thread_id` if given."""
        return SlackReplies(self.slack_token, channel or self.slack_channel, thread_id, self.proxy,
                            self.api_base_url, self.retry)

    # --- reading Slack's payloads --------------------------------------------------------
    @staticmethod
    def bot_user_ids(event_callback: Dict[Text, Any]) -> List[Text]:
        ids = [a.get("user_id") for a in event_callback.get("authorizations") or [] if a.get("user_id")]
        return ids + [u for u in event_callback.get("authed_users") or [] if u not in ids]

    def reply_thread(self, message: Dict[Text, Any]) -> Optional[Text]:
        """The thread to answer in: the question's thread, or a new one under it with use_threads."""
        if message.get("thread_ts"):
            return message["thread_ts"]
        return message.get("ts") if self.use_threads else None

    def skip_reason(self, event_callback: Dict[Text, Any], bot_ids: List[Text]) -> Optional[Text]:
        event = event_callback.get("event") or {}
        if event.get("type") not in ("message", "app_mention"):
            return "not a message"
        if event.get("bot_id") or event.get("user") in bot_ids or event.get("subtype") not in ANSWERED_SUBTYPES:
            return "not from a person"
        if not (event.get("text") or "").strip():
            return "no text"
        if event["type"] == "app_mention" or event.get("channel_type") == "im":
            return None
        if not self.slack_channel or event.get("channel") != self.slack_channel:
            return "channel not supported"
        # A mention in the bot's own channel arrives twice (message + app_mention): answer the mention.
        if any(f"<@{uid}" in event["text"] for uid in bot_ids):
            return "answered as app_mention"
        return None

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        kind = media_type(request)
        if kind == "application/json":
            body = request.json or {}
            event = body.get("event") or {}
            return {"out_channel": event.get("channel"), "thread_id": self.reply_thread(event),
                    "users": self.bot_user_ids(body), "team": body.get("team_id")}
        if kind == "application/x-www-form-urlencoded":
            payload = json.loads(request.form.get("payload") or "{}")
            message = payload.get("message") or payload.get("container") or {}
            return {"out_channel": (payload.get("channel") or {}).get("id"),
                    "thread_id": message.get("thread_ts") or (message.get("ts") if self.use_threads else None),
                    "users": [], "team": (payload.get("team") or {}).get("id")}
        return {}

    async def handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: Text,
                     user: Optional[Text], metadata: Dict[Text, Any], click: Optional[Dict[Text, Any]] = None,
                     agent: Any = None) -> None:
        """Have Rasa answer `text` from `user` in the background. `click`: the interactivity payload
        when `text` came from a button, so a counted 👍/👎 can update the message it was pressed on
        (`agent`, Rasa's, is where the rating is read back)."""
        conversation = self._get_conversation_id(user, metadata.get("out_channel"), metadata.get("thread_id"))
        output = self.get_output_channel(metadata.get("out_channel"), metadata.get("thread_id"))
        message = UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata)
        rated = read_rating(text) if click else None
        work = on_new_message(message) if rated is None else self.rate(
            agent, conversation, rated[1], click, output, lambda: on_new_message(message))
        # Slack wants an answer within 3 s, so the bot works after the webhook has replied.
        task = asyncio.create_task(work)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    @staticmethod
    async def rate(agent: Any, conversation: Text, answer_id: Text, click: Dict[Text, Any], output: SlackReplies,
                   handle: Callable[[], Awaitable[Any]]) -> None:
        """`handle()` a press on 👍/👎, then show a counted rating on the message it was pressed on."""
        rating = await counted_rating(agent, conversation, answer_id, handle)
        message = click.get("message") or {}
        channel = (click.get("channel") or {}).get("id") or (click.get("container") or {}).get("channel_id")
        ts = message.get("ts") or (click.get("container") or {}).get("message_ts")
        if rating and channel and ts:
            await output.show_rating(channel, ts, message, rating, (click.get("user") or {}).get("id"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)
        no_retry = {"X-Slack-No-Retry": "1"}

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Refused a Slack request: bad or stale signature")
                return response.text("invalid signature", status=HTTPStatus.UNAUTHORIZED)
            kind = media_type(request)
            try:
                if kind == "application/json":
                    body = json.loads(request.body or b"{}")
                    return await on_event(body, request)
                if kind == "application/x-www-form-urlencoded":
                    return await on_interaction(json.loads(request.form.get("payload") or "{}"), request)
            except (ValueError, AttributeError, TypeError) as error:
                logger.warning("Unreadable Slack request: %s", type(error).__name__)
                return response.text("unreadable request", status=HTTPStatus.BAD_REQUEST)
            return response.text("unsupported content type", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)

        async def on_event(body: Dict[Text, Any], request: Request) -> HTTPResponse:
            if body.get("type") == "url_verification":
                return response.json({"challenge": body.get("challenge")})
            if body.get("type") != "event_callback":
                return response.text("ignored: not an event")
            if not self.recent.first_time(body.get("event_id")):
                logger.info("Slack redelivered %s (retry %s, %s): already handled", body.get("event_id"),
                            request.headers.get("x-slack-retry-num"), request.headers.get("x-slack-retry-reason"))
                return response.text("ignored: duplicate", headers=no_retry)
            bot_ids = self.bot_user_ids(body)
            reason = self.skip_reason(body, bot_ids)
            if reason:
                return response.text(f"ignored: {reason}")
            event = body["event"]
            text = typed_text(self._sanitize_user_message(event["text"], bot_ids), COMMANDS)
            # A bare "@bot" is someone saying hello.
            await self.handle(on_new_message, text or COMMANDS["start"], event.get("user"),
                              self.get_metadata(request))
            return response.text("")

        async def on_interaction(payload: Dict[Text, Any], request: Request) -> HTTPResponse:
            actions = payload.get("actions") or []
            if payload.get("type") not in ("block_actions", "interactive_message") or not actions:
                return response.text("ignored: not a button")
            action = actions[0]
            user = (payload.get("user") or {}).get("id")
            if not self.recent.first_time(f"{user}:{action.get('action_ts')}:{action.get('action_id')}"):
                return response.text("ignored: duplicate", headers=no_retry)
            text = self._get_interactive_response(action) if self._is_interactive_message(payload) else None
            if not text:
                # Link buttons and unsupported widgets carry nothing to answer.
                return response.text("ignored: no value")
            await self.handle(on_new_message, text, user, self.get_metadata(request), click=payload,
                              agent=getattr(request.app.ctx, "agent", None))
            return response.text("")

        return slack_webhook
