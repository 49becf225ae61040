"""Telegram channel: Rasa's TelegramInput rebuilt around what goes wrong on 3.6.21.

Mounted at /webhooks/telegram/webhook. Differences from the stock channel, and why:
- start-up makes no network call. The webhook is set in the background once the server is serving
  (if `set_webhook_on_start`), by `python -m bot.channels.telegram set-webhook`, or by GET
  /webhooks/telegram/set_webhook; a failure is logged and the bot keeps running;
- the HTTP session is created inside the serving event loop and closed when the server stops (the
  stock one is born in a throw-away loop, so every update failed with "Event loop is closed");
- button presses are acknowledged with answerCallbackQuery, so the client stops its spinner;
- a rateable answer gets a 👍/👎 row under its buttons; once Rasa has counted a press, the row gives
  way to the rating (editMessageReplyMarkup; `bot.channels.feedback_controls`);
- /start greets and /help lists what the bot answers; no other typed text becomes an intent payload;
- getMe is asked once, not on every update; the API address can be changed (`api_base_url`);
- an optional `secret_token` makes Telegram sign each delivery, and other senders are refused;
- replies stay within Telegram's limits (4096 characters, 64-byte callback data) and an error while
  answering is logged instead of returned as a 500, which Telegram would redeliver forever;
- a reply Telegram rate-limits (429), fails (5xx) or cannot be sent (connection) is retried within
  bounds, one it refuses (400, 403) is logged and skipped (`bot.channels.retry`); the webhook
  answers once the replies are out, as soon as one has to wait, or after ANSWER_WITHIN seconds,
  whichever comes first, so Telegram is never kept waiting on a retry.
Reading updates is in `telegram_updates`, sending replies in `telegram_replies`.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import sys
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram.types import Update
from aiogram.utils.exceptions import ValidationError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.feedback_controls import counted_rating, read_rating
from bot.channels.retry import RetryPolicy
from bot.channels.shared import RecentIds
# Reading updates and sending replies live in their own modules; these names stay importable from here.
from bot.channels.telegram_replies import MESSAGE_LIMIT, REQUEST_TIMEOUT, TelegramBot, TelegramReplies  # noqa: F401
from bot.channels.telegram_updates import (CALLBACK_DATA_LIMIT, COMMANDS, UNREADABLE, UPDATE_KINDS,  # noqa: F401
                                           Payloads, is_true, read_update, without_mention)

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10
# The longest the webhook keeps Telegram waiting for the bot's replies before answering anyway.
ANSWER_WITHIN = 5.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramChannel(TelegramInput):
    """Telegram webhook input, configured in credentials as `bot.channels.telegram.TelegramChannel`.

    Credentials: access_token, verify (the bot's username), webhook_url (all required), api_base_url,
    secret_token, set_webhook_on_start (default true). Replies Telegram does not take are retried
    as `retry` says (default: RetryPolicy.from_env()).
    """

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        for key in ("access_token", "verify", "webhook_url"):
            if not credentials.get(key):
                raise InvalidConfigException(f"The Telegram channel needs `{key}` in its credentials.")
        return cls(
            credentials["access_token"], credentials["verify"], credentials["webhook_url"],
            api_base_url=credentials.get("api_base_url") or None,
            secret_token=credentials.get("secret_token") or None,
            set_webhook_on_start=is_true(credentials.get("set_webhook_on_start", True)),
        )

    def __init__(self, access_token: Optional[Text], verify: Optional[Text], webhook_url: Optional[Text],
                 debug_mode: bool = False, api_base_url: Optional[Text] = None,
                 secret_token: Optional[Text] = None, set_webhook_on_start: bool = True,
                 retry: Optional[RetryPolicy] = None) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.api_base_url = api_base_url
        self.secret_token = secret_token
        self.set_webhook_on_start = set_webhook_on_start
        self.recent = RecentIds(seconds=3600)
        self.payloads = Payloads()
        self._bot: Optional[TelegramBot] = None
        self._verified = False
        self._background: set = set()
        try:
            self.retry = retry or RetryPolicy.from_env()
        except ValueError as error:
            raise InvalidConfigException(str(error)) from None
        try:
            # Checks the token's form before the server starts; makes no request.
            self.get_output_channel()
        except ValidationError:
            raise InvalidConfigException(
                "The Telegram token is malformed: BotFather's tokens look like <digits>:<letters>.") from None

    def scrub(self, text: str) -> str:
        """`text` with the token removed: aiogram's errors may quote the request URL."""
        return text.replace(self.access_token, "<token>") if self.access_token else text

    def get_output_channel(self) -> TelegramBot:
        """The server's one Bot API client (created on first use; raises aiogram's ValidationError for
        a malformed token)."""
        if self._bot is None:
            self._bot = TelegramBot(self.access_token, self.api_base_url)
        return self._bot

    async def set_webhook(self, timeout: float = WEBHOOK_TIMEOUT) -> bool:
        """Point Telegram at `webhook_url`; True on success. Never raises: a failure is logged."""
        bot = self.get_output_channel()
        params: Dict[str, Any] = {"url": self.webhook_url, "allowed_updates": json.dumps(UPDATE_KINDS)}
        if self.secret_token:
            params["secret_token"] = self.secret_token
        try:
            with bot.request_timeout(timeout):
                await bot.request("setWebhook", params)
        except Exception as error:
            logger.warning("Could not set the Telegram webhook to %s (%s: %s); the bot keeps running. "
                           "Set it later with `make telegram-webhook`.", self.webhook_url,
                           type(error).__name__, self.scrub(str(error)) or "no answer")
            return False
        logger.info("Telegram webhook set to %s", self.webhook_url)
        return True

    async def verified(self) -> bool:
        """Whether the token belongs to the configured bot; asked once, and a network error is no verdict."""
        if not self._verified:
            try:
                me = await self.get_output_channel().get_me()
            except Exception as error:
                logger.warning("getMe failed (%s); answering anyway", self.scrub(str(error)))
                return True
            if me.username != self.verify:
                logger.error("The Telegram token belongs to @%s, not to the configured @%s: ignoring updates",
                             me.username, self.verify)
                return False
            self._verified = True
        return True

    def text_of(self, update: Update) -> Optional[Dict[str, Any]]:
        """What to tell Rasa about an update (see telegram_updates.read_update); None to ignore it."""
        return read_update(update, self.payloads, self.verify)

    def without_own_mention(self, text: str) -> str:
        """`text` without "@<this bot>" (see telegram_updates.without_mention)."""
        return without_mention(text, self.verify)

    async def answer(self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     on_wait: Callable[[], None], agent: Any = None) -> str:
        """Acknowledge a button press and have Rasa answer `update`; the text for the webhook's answer.

        `agent` (Rasa's) is where a 👍/👎 press is read back, to show it on the rated message once counted.
        Never raises: an error while answering is logged, since Telegram redelivers on anything but 2xx.
        """
        try:
            if not await self.verified():
                return "failed"
            replies = TelegramReplies(self.get_output_channel(), self.payloads, None, self.scrub, self.retry, on_wait)
            # The acknowledgement runs alongside: it goes out first, and a rate limit on it must not
            # hold the answer back (Telegram forgets a callback query after a few seconds anyway).
            ack = (asyncio.create_task(replies.acknowledge(update.callback_query.id))
                   if update.callback_query is not None else None)
            try:
                found = self.text_of(update)
                if found is not None:
                    replies.reply_to = found["reply_to"]
                    metadata = {"telegram": {"chat_type": found["chat"].type, "update": found["kind"]}}
                    restart = found["text"] == COMMANDS["restart"]
                    chat = str(found["chat"].id)
                    for text in [found["text"]] + ([COMMANDS["start"]] if restart else []):
                        handle = partial(on_new_message, UserMessage(text, replies, chat, input_channel=self.name(),
                                                                     metadata=metadata))
                        rated = read_rating(text) if found["kind"] == "button" else None
                        if rated is None:
                            await handle()
                        else:
                            rating = await counted_rating(agent, chat, rated[1], handle)
                            if rating:
                                await replies.show_rating(update.callback_query.message, rating)
            finally:
                if ack is not None:
                    await ack
        except Exception as error:
            logger.error("Could not answer a Telegram update: %s", self.scrub(str(error)), exc_info=True)
        return "success"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.listener("after_server_start")
        async def set_webhook_in_background(*_: Any) -> None:
            if self.set_webhook_on_start:
                task = asyncio.create_task(self.set_webhook())
                self._background.add(task)
                task.add_done_callback(self._background.discard)

        @telegram_webhook.listener("before_server_stop")
        async def close_session(*_: Any) -> None:
            for task in list(self._background):
                task.cancel()
            await self.get_output_channel().close_session()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/set_webhook", methods=["GET", "POST"])
        async def set_webhook(_: Request) -> HTTPResponse:
            if await self.set_webhook():
                return response.text("Webhook setup successful")
            return response.text("Webhook setup failed: see the server log", status=502)

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if self.secret_token and not hmac.compare_digest(
                    request.headers.get(SECRET_HEADER, ""), self.secret_token):
                logger.warning("Refused a Telegram update without the right secret token")
                return response.text("forbidden", status=403)
            try:
                body = json.loads(request.body or b"{}")
                update = Update(**body)
            except (ValueError, TypeError) as error:
                logger.warning("Unreadable Telegram update: %s", type(error).__name__)
                return response.text("unreadable update", status=400)
            # A 2xx tells Telegram the update arrived; anything else makes it deliver it again.
            if not self.recent.first_time(str(body.get("update_id", "")) or None):
                return response.text("duplicate")
            held_up = asyncio.Event()
            task = asyncio.create_task(self.answer(update, on_new_message, held_up.set,
                                                   getattr(request.app.ctx, "agent", None)))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            # Usually the replies are out within a second and Telegram hears back after them, which
            # keeps one chat's updates in order. A reply that must wait (rate limit, retry) releases the
            # webhook at once, and so does ANSWER_WITHIN (say, this update waits for the chat's previous
            # one): Telegram would otherwise hold the chat's next updates, then deliver this one again.
            waiting = asyncio.create_task(held_up.wait())
            await asyncio.wait({task, waiting}, timeout=ANSWER_WITHIN, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            return response.text(task.result() if task.done() and not task.cancelled() else "success")

        return telegram_webhook


def main(argv: List[str]) -> int:
    """`python -m bot.channels.telegram set-webhook`: point Telegram at TELEGRAM_WEBHOOK_URL.

    `argv`: the arguments after the module name. Returns the exit code: 0 when Telegram took the
    webhook, 1 when it did not (the reason is logged), 2 for bad usage or unset variables. Raises
    InvalidConfigException for a malformed TELEGRAM_TOKEN.
    """
    if argv[:1] != ["set-webhook"]:
        print("usage: python -m bot.channels.telegram set-webhook", file=sys.stderr)
        return 2
    missing = [n for n in ("TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL") if not os.environ.get(n)]
    if missing:
        print(f"error: set {', '.join(missing)} first (see .env.example and docs/channels.md)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    channel = TelegramChannel(os.environ["TELEGRAM_TOKEN"], os.environ["TELEGRAM_BOT_NAME"],
                              os.environ["TELEGRAM_WEBHOOK_URL"],
                              api_base_url=os.environ.get("TELEGRAM_API_BASE_URL") or None,
                              secret_token=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
                              retry=RetryPolicy())  # sends no replies: the REPLY_* limits do not apply

    async def run() -> bool:
        try:
            return await channel.set_webhook(timeout=REQUEST_TIMEOUT)
        finally:
            await channel.get_output_channel().close_session()

    return 0 if asyncio.run(run()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
