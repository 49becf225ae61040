"""Telegram's side of a reply: sendMessage / sendPhoto / answerCallbackQuery / editMessageReplyMarkup (a
counted 👍/👎), retried by the shared policy.

aiogram 2.15 has no retry mechanism of its own: it turns each answer into an exception (RetryAfter
carrying Telegram's `retry_after`, BadRequest / Unauthorized for refusals, NetworkError for the
transport, a bare TelegramAPIError for 5xx). `failure_of` sorts those into the kinds of
`bot.channels.retry`, and every call goes through `call_with_retries` with the channel's RetryPolicy.
"""
from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import NetworkError, RestartingTelegram, RetryAfter, TelegramAPIError
from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.telegram import TelegramOutput

from bot.channels.feedback_controls import EMOJI, LABELS, rating_payload, read_rating
from bot.channels.retry import (PERMANENT, RATE_LIMITED, TRANSIENT, UNANSWERED, Failure, RetryPolicy,
                                call_with_retries)
from bot.channels.shared import split_text, utf16_length
from bot.channels.telegram_updates import RATED_DATA, Payloads
from bot.feedback import ANSWER_ID, RATINGS

MESSAGE_LIMIT = 4096
REQUEST_TIMEOUT = 30
REASON_LIMIT = 300  # a proxy's HTML error page would otherwise fill the log


class TelegramBot(TelegramOutput):
    """One Bot API client for the whole server; its aiohttp session opens on first use."""

    def __init__(self, access_token: Text, api_base_url: Optional[Text] = None) -> None:
        Bot.__init__(self, access_token, timeout=REQUEST_TIMEOUT,
                     server=TelegramAPIServer.from_base(api_base_url) if api_base_url else TELEGRAM_PRODUCTION)

    async def close_session(self) -> None:
        """Close the aiohttp session if one is open; the next call opens a new one."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


def failure_of(error: BaseException, scrub: Callable[[str], str] = str) -> Failure:
    """Sort what aiogram raised into a retry.Failure; `scrub` removes the token from the reason."""
    reason = scrub(f"{type(error).__name__}: {error}")[:REASON_LIMIT]
    if isinstance(error, RetryAfter):  # 429 with parameters.retry_after
        return Failure(RATE_LIMITED, reason, float(error.timeout))
    if isinstance(error, RestartingTelegram):
        return Failure(TRANSIENT, reason)
    if isinstance(error, NetworkError):
        # aiogram wraps aiohttp's errors; the original is the implicit context of the wrapper.
        cause = error.__context__
        if isinstance(cause, asyncio.TimeoutError):
            return Failure(UNANSWERED, reason)
        if isinstance(cause, aiohttp.ClientConnectionError) or str(error).startswith("Invalid response with"):
            # A refused or dropped connection, or a proxy's non-JSON error page (502, 504, ...).
            return Failure(TRANSIENT, reason)
        return Failure(PERMANENT, reason)
    if type(error) is TelegramAPIError:
        # aiogram raises the bare class for 5xx without the status, and for other codes with " [code]".
        code = re.search(r"\[(\d{3})\]$", str(error))
        if code is None:
            return Failure(TRANSIENT, reason)
        return Failure(RATE_LIMITED if code.group(1) == "429" else PERMANENT, reason)
    if isinstance(error, asyncio.TimeoutError):
        return Failure(UNANSWERED, reason)
    return Failure(PERMANENT, reason)  # BadRequest (400 chat not found), Unauthorized (403 blocked), ...


class TelegramReplies(OutputChannel):
    """The replies to one update: plain text split to fit, buttons as an inline keyboard.

    Each Bot API call is retried as `retry` says; one Telegram does not take is logged and the rest of
    the reply still goes out, so sending never raises. `on_wait` is told when a call has to wait.
    """

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, bot: TelegramBot, payloads: Payloads, reply_to: Optional[int] = None,
                 scrub: Callable[[str], str] = str, retry: Optional[RetryPolicy] = None,
                 on_wait: Optional[Callable[[], None]] = None) -> None:
        self.bot = bot
        self.payloads = payloads
        self.reply_to = reply_to
        self.scrub = scrub
        self.retry = retry or RetryPolicy()
        self.on_wait = on_wait

    async def call(self, method: str, send: Callable[[], Awaitable[Any]]) -> Optional[Any]:
        """`send()` (one Bot API call named `method`) with retries; its result, or None if not sent."""
        return await call_with_retries(send, partial(failure_of, scrub=self.scrub), self.retry, "Telegram",
                                       method, self.on_wait)

    def keyboard(self, buttons: List[Dict[Text, Any]], answer_id: Optional[Text] = None) -> InlineKeyboardMarkup:
        """An inline keyboard for Rasa buttons (title, payload), payloads packed to fit callback data,
        and for a rateable answer (`answer_id`) a last row with 👍 and 👎."""
        # One button a row: titles such as "Transition / Migration Manager" stay readable on a phone.
        markup = InlineKeyboardMarkup()
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "?")
            markup.row(InlineKeyboardButton(title, callback_data=self.payloads.pack(str(button.get("payload") or title))))
        if answer_id:
            markup.row(*(InlineKeyboardButton(EMOJI[rating], callback_data=self.payloads.pack(
                rating_payload(rating, answer_id))) for rating in RATINGS))
        return markup

    def rated_keyboard(self, markup: Optional[InlineKeyboardMarkup], rating: str) -> InlineKeyboardMarkup:
        """`markup` (a rated message's keyboard) with its 👍/👎 row replaced by one saying the rating;
        pressing that button does nothing (RATED_DATA)."""
        rows = [row for row in (markup.inline_keyboard if markup else [])
                if not any(read_rating(self.payloads.unpack(b.callback_data or "")) for b in row)]
        done = InlineKeyboardButton(f"{EMOJI[rating]} {LABELS[rating]}: thanks!", callback_data=RATED_DATA)
        return InlineKeyboardMarkup(inline_keyboard=rows + [[done]])

    async def show_rating(self, message: Any, rating: str) -> None:
        """editMessageReplyMarkup of the rated `message` (aiogram Message): the rating instead of 👍/👎.
        Never raises."""
        edit = partial(self.bot.edit_message_reply_markup, message.chat.id, message.message_id,
                       reply_markup=self.rated_keyboard(message.reply_markup, rating))
        await self.call(f"editMessageReplyMarkup in chat {message.chat.id}", edit)

    async def _send(self, chat_id: Text, text: Optional[Text], buttons: Optional[List[Dict[Text, Any]]] = None,
                    answer_id: Optional[Text] = None) -> None:
        pieces = split_text(text, MESSAGE_LIMIT, utf16_length)
        if (buttons or answer_id) and not pieces:
            # Telegram refuses an empty message, and a keyboard needs one to hang on.
            pieces = ["👇"]
        for number, piece in enumerate(pieces, 1):
            options: Dict[str, Any] = {}
            if number == 1 and self.reply_to:
                options.update(reply_to_message_id=self.reply_to, allow_sending_without_reply=True)
            if number == len(pieces) and (buttons or answer_id):
                options["reply_markup"] = self.keyboard(buttons or [], answer_id)
            send = partial(self.bot.send_message, chat_id, piece, **options)
            await self.call(f"sendMessage to chat {chat_id}", send)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, text, None, kwargs.get(ANSWER_ID))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._send(recipient_id, text, buttons, kwargs.get(ANSWER_ID))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.call(f"sendPhoto to chat {recipient_id}", partial(self.bot.send_photo, recipient_id, image))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.call(f"custom message to chat {recipient_id}",
                        partial(self.bot.send_custom_json, recipient_id, json_message))

    async def acknowledge(self, callback_query_id: Text) -> None:
        """answerCallbackQuery, so the person's client stops its spinner; never raises."""
        await self.call("answerCallbackQuery", partial(self.bot.answer_callback_query, callback_query_id))
