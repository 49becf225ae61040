"""Telegram channel: Rasa's TelegramInput rebuilt around what goes wrong on 3.6.21.

Mounted at /webhooks/telegram/webhook. Differences from the stock channel, and why:
- start-up makes no network call. The webhook is set in the background once the server is serving
  (if `set_webhook_on_start`), by `python -m bot.channels.telegram set-webhook`, or by GET
  /webhooks/telegram/set_webhook; a failure is logged and the bot keeps running;
- the HTTP session is created inside the serving event loop and closed when the server stops (the
  stock one is born in a throw-away loop, so every update failed with "Event loop is closed");
- button presses are acknowledged with answerCallbackQuery, so the client stops its spinner;
- /start greets and /help lists what the bot answers; no other typed text becomes an intent payload;
- getMe is asked once, not on every update; the API address can be changed (`api_base_url`);
- an optional `secret_token` makes Telegram sign each delivery, and other senders are refused;
- replies stay within Telegram's limits (4096 characters, 64-byte callback data) and an error while
  answering is logged instead of returned as a 500, which Telegram would redeliver forever.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import sys
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update
from aiogram.utils.exceptions import ValidationError
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.shared import RecentIds, split_text, typed_text, utf16_length

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
REQUEST_TIMEOUT = 30
WEBHOOK_TIMEOUT = 10
COMMANDS = {"start": "/greet", "help": "/ask_capabilities", "restart": "/restart"}
# Things a person sends that the bot cannot read; it answers them with what it can do.
UNREADABLE = ("sticker", "photo", "video", "video_note", "animation", "voice", "audio", "document",
              "location", "venue", "contact", "poll", "dice")
UPDATE_KINDS = ["message", "edited_message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def is_true(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Payloads:
    """Fits button payloads into Telegram's 64-byte callback data.

    Short payloads travel as they are; a longer one is sent as a key and kept here (bounded), so a
    button from before a restart falls back to `stale`.
    """

    PREFIX = "#p:"

    def __init__(self, capacity: int = 5000, stale: str = "/ask_capabilities"):
        self.capacity = capacity
        self.stale = stale
        self._long: "OrderedDict[str, str]" = OrderedDict()

    def pack(self, payload: str) -> str:
        if payload.startswith("/") and "{" in payload:
            intent, _, entities = payload.partition("{")
            try:
                payload = intent + json.dumps(json.loads("{" + entities), separators=(",", ":"))
            except ValueError:
                pass
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self.capacity:
            self._long.popitem(last=False)
        return key

    def unpack(self, data: str) -> str:
        if data.startswith(self.PREFIX):
            return self._long.get(data, self.stale)
        return data


class TelegramBot(TelegramOutput):
    """One Bot API client for the whole server; its aiohttp session opens on first use."""

    def __init__(self, access_token: Text, api_base_url: Optional[Text] = None) -> None:
        Bot.__init__(self, access_token, timeout=REQUEST_TIMEOUT,
                     server=TelegramAPIServer.from_base(api_base_url) if api_base_url else TELEGRAM_PRODUCTION)

    async def close_session(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class TelegramReplies(OutputChannel):
    """The replies to one update: plain text split to fit, buttons as an inline keyboard."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, bot: TelegramBot, payloads: Payloads, reply_to: Optional[int] = None,
                 scrub: Callable[[str], str] = str) -> None:
        self.bot = bot
        self.payloads = payloads
        self.reply_to = reply_to
        self.scrub = scrub

    def keyboard(self, buttons: List[Dict[Text, Any]]) -> InlineKeyboardMarkup:
        # One button a row: titles such as "Transition / Migration Manager" stay readable on a phone.
        markup = InlineKeyboardMarkup()
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "?")
            markup.row(InlineKeyboardButton(title, callback_data=self.payloads.pack(str(button.get("payload") or title))))
        return markup

    async def _send(self, chat_id: Text, text: Optional[Text], buttons: Optional[List[Dict[Text, Any]]] = None) -> None:
        pieces = split_text(text, MESSAGE_LIMIT, utf16_length)
        if buttons and not pieces:
            # Telegram refuses an empty message, and a keyboard needs one to hang on.
            pieces = ["👇"]
        for number, piece in enumerate(pieces, 1):
            options: Dict[str, Any] = {}
            if number == 1 and self.reply_to:
                options.update(reply_to_message_id=self.reply_to, allow_sending_without_reply=True)
            if number == len(pieces) and buttons:
                options["reply_markup"] = self.keyboard(buttons)
            try:
                await self.bot.send_message(chat_id, piece, **options)
            except Exception as error:  # aiogram raises many kinds; none may stop the other replies
                logger.error("Telegram did not take a reply to chat %s: %s", chat_id, self.scrub(str(error)))
                return

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._send(recipient_id, text, buttons)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        try:
            await self.bot.send_photo(recipient_id, image)
        except Exception as error:
            logger.error("Telegram did not take an image for chat %s: %s", recipient_id, self.scrub(str(error)))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.bot.send_custom_json(recipient_id, json_message)


class TelegramChannel(TelegramInput):
    """Telegram webhook input, configured in credentials as `bot.channels.telegram.TelegramChannel`.

    Credentials: access_token, verify (the bot's username), webhook_url (all required), api_base_url,
    secret_token, set_webhook_on_start (default true).
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
                 secret_token: Optional[Text] = None, set_webhook_on_start: bool = True) -> None:
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
            # Checks the token's form before the server starts; makes no request.
            self.get_output_channel()
        except ValidationError:
            raise InvalidConfigException(
                "The Telegram token is malformed: BotFather's tokens look like <digits>:<letters>.") from None

    def scrub(self, text: str) -> str:
        """`text` with the token removed: aiogram's errors may quote the request URL."""
        return text.replace(self.access_token, "<token>") if self.access_token else text

    def get_output_channel(self) -> TelegramBot:
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
        """What to tell Rasa about an update: text, chat, and which message to reply to; None to ignore."""
        if update.callback_query is not None:
            query = update.callback_query
            if query.message is None or query.data is None:
                return None
            return {"text": self.payloads.unpack(query.data), "chat": query.message.chat, "reply_to": None,
                    "kind": "button"}
        edited = update.edited_message is not None
        message = update.edited_message if edited else update.message
        if message is None or (message.from_user is not None and message.from_user.is_bot):
            return None
        text = message.text if message.text is not None else message.caption
        if text is not None:
            text = self.without_own_mention(text)
            text = typed_text(text, COMMANDS) or COMMANDS["start"]
        elif any(getattr(message, kind, None) for kind in UNREADABLE):
            text = COMMANDS["help"]
        else:
            return None  # service messages: someone joined, a title changed, ...
        return {"text": text, "chat": message.chat, "reply_to": message.message_id if edited else None,
                "kind": "edited" if edited else "message"}

    def without_own_mention(self, text: str) -> str:
        mention = f"@{self.verify}"
        if self.verify and mention.lower() in text.lower():
            start = text.lower().index(mention.lower())
            # "/help@bot" keeps its slash; "@bot what is bpo" loses the mention.
            text = (text[:start] + text[start + len(mention):]).strip()
        return text

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
            if not await self.verified():
                return response.text("failed")
            bot = self.get_output_channel()
            if update.callback_query is not None:
                try:
                    await bot.answer_callback_query(update.callback_query.id)
                except Exception as error:
                    logger.warning("answerCallbackQuery failed: %s", self.scrub(str(error)))
            found = self.text_of(update)
            if found is None:
                return response.text("success")
            chat_id = str(found["chat"].id)
            metadata = {"telegram": {"chat_type": found["chat"].type, "update": found["kind"]}}
            replies = TelegramReplies(bot, self.payloads, found["reply_to"], self.scrub)
            texts = [found["text"]]
            if found["text"] == COMMANDS["restart"]:
                texts.append(COMMANDS["start"])
            try:
                for text in texts:
                    await on_new_message(UserMessage(text, replies, chat_id, input_channel=self.name(),
                                                     metadata=metadata))
            except Exception as error:
                logger.error("Could not answer a Telegram update: %s", self.scrub(str(error)), exc_info=True)
            return response.text("success")

        return telegram_webhook


def main(argv: List[str]) -> int:
    """`python -m bot.channels.telegram set-webhook`: point Telegram at TELEGRAM_WEBHOOK_URL."""
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
                              secret_token=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None)

    async def run() -> bool:
        try:
            return await channel.set_webhook(timeout=REQUEST_TIMEOUT)
        finally:
            await channel.get_output_channel().close_session()

    return 0 if asyncio.run(run()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
