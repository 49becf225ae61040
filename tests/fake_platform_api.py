"""A local stand-in for the Slack Web API and the Telegram Bot API, plus the bot that talks to it.

The channels are pointed here through their API base URL settings (SLACK_API_BASE_URL,
TELEGRAM_API_BASE_URL), so the tests see every outgoing call without any network:
    Slack:    POST {url}/slack/api/<method>            (JSON or form body, Bearer token; chat.postMessage
              answers with the message's `ts`, chat.update echoes it)
    Telegram: POST {url}/telegram/bot<token>/<method>  (form or JSON body)
`shared_platform_bot` starts one action server and one Rasa server with REST, Slack and Telegram
mounted, for every test module that needs them, and stops them when the test session ends.

Every call is answered ok unless a test scripts trouble first (`FakePlatformAPI.script`, with the
answers of tests/fake_platform_answers.py: rate limits, 5xx, refusals, dropped connections).
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import subprocess
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

import requests

from tests.fake_platform_answers import (DROP, DROP_STATUS, OK, Answer, Call, server_error,  # noqa: F401
                                         slack_rate_limited, slack_refusal, telegram_error)
from tests.servers import BIN, LOGS, ROOT, RestClient, environment, start_actions, start_rasa

SLACK_TOKEN = "xoxb-0000000000-test-only-token"
SLACK_SECRET = "test-only-signing-secret-8f3a"
SLACK_CHANNEL = "C0BPOHELP"
SLACK_BOT_USER = "U0BPOBOT"
SLACK_TEAM = "T0BPOTEAM"
TELEGRAM_TOKEN = "123456789:TEST-only-token_AbCdEf"
TELEGRAM_BOT = "bpo_careers_test_bot"
TELEGRAM_SECRET = "test-only-webhook-secret"
TELEGRAM_WEBHOOK = "https://bot.example.test/webhooks/telegram/webhook"
SECRETS = (SLACK_TOKEN, SLACK_SECRET, TELEGRAM_TOKEN, TELEGRAM_SECRET)
# The reply retry limits (bot/channels/retry.py) made small, so retry tests take seconds, not minutes.
RETRIES, BACKOFF, MAX_WAIT = 3, 0.2, 3.0
RETRY_ENV = {"REPLY_RETRIES": str(RETRIES), "REPLY_RETRY_BACKOFF_SECONDS": str(BACKOFF),
             "REPLY_MAX_WAIT_SECONDS": str(MAX_WAIT)}


class FakePlatformAPI:
    """Records every call; answers like the real APIs do. `hang` lists Telegram methods never answered."""

    def __init__(self) -> None:
        self.calls: List[Call] = []
        self.hang: set = set()
        self._scripts: List[tuple] = []  # (platform, method, where, deque of Answers)
        self._released = threading.Event()
        self._changed = threading.Condition()
        self._ids = itertools.count(1000)
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer, headers = api.handle(self.path, dict(self.headers), body)
                if status is None:
                    return  # hung until release(); the client is meant to give up first
                if status == DROP_STATUS:
                    self.close_connection = True  # closes the socket with no answer: a dropped connection
                    return
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def slack_base(self) -> str:
        return f"{self.url}/slack/api/"

    @property
    def telegram_base(self) -> str:
        return f"{self.url}/telegram"

    # --- answering ---------------------------------------------------------------------------
    @staticmethod
    def _params(headers: Dict[str, str], body: bytes) -> Dict[str, Any]:
        kind = headers.get("Content-Type", "").split(";")[0].strip()
        if kind == "application/json":
            return json.loads(body or b"{}")
        if kind == "multipart/form-data":
            raise AssertionError("no uploads expected")
        return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}

    def script(self, platform: str, method: str, *answers: Answer,
               where: Callable[[Call], bool] = lambda c: True) -> None:
        """Answer the next calls of `method` that match `where` with `answers`, in order (OK: as usual)."""
        with self._changed:
            self._scripts.append((platform, method, where, deque(answers)))

    def _scripted(self, call: Call) -> Answer:
        with self._changed:
            for platform, method, where, answers in self._scripts:
                if answers and platform == call.platform and method == call.method and where(call):
                    return answers.popleft()
        return OK

    def handle(self, path: str, headers: Dict[str, str], body: bytes):
        """(status, JSON answer, extra headers) for one request; status None: never answered."""
        params = self._params(headers, body)
        if path.startswith("/slack/api/"):
            call = Call("slack", path.rsplit("/", 1)[1], params, headers,
                        token=headers.get("Authorization", "").removeprefix("Bearer "))
            usual = self._slack_answer
        elif path.startswith("/telegram/bot"):
            token, method = path[len("/telegram/bot"):].split("/", 1)
            call = Call("telegram", method, params, headers, token=token)
            if method in self.hang:
                self._record(call)
                self._released.wait()
                return None, None, {}
            usual = self._telegram_answer
        else:
            return 404, {"ok": False, "error": "unknown_method"}, {}
        answer = self._scripted(call)
        call.status = None if answer.status == DROP_STATUS else answer.status
        call.body = usual(call) if answer.body is None else answer.body
        self._record(call)
        return answer.status, call.body, answer.headers

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _slack_answer(self, call: Call) -> Dict[str, Any]:
        if call.token != SLACK_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        if call.method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            return {"ok": True, "channel": call.params.get("channel"), "ts": ts,
                    "message": {"type": "message", "text": call.params.get("text"), "bot_id": "B0BPO", "ts": ts}}
        if call.method == "chat.update":
            return {"ok": True, "channel": call.params.get("channel"), "ts": call.params.get("ts"),
                    "text": call.params.get("text"), "message": {"text": call.params.get("text")}}
        return {"ok": True}

    def _telegram_answer(self, call: Call) -> Dict[str, Any]:
        if call.token != TELEGRAM_TOKEN:
            return {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if call.method.lower() == "getme":
            return {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "BPO Careers",
                                           "username": TELEGRAM_BOT}}
        if call.method.lower() in ("sendmessage", "sendphoto"):
            chat_id = int(call.params.get("chat_id"))
            return {"ok": True, "result": {"message_id": next(self._ids), "date": int(time.time()),
                                           "chat": {"id": chat_id, "type": "private"},
                                           "text": call.params.get("text", "")}}
        return {"ok": True, "result": True}

    # --- asserting ---------------------------------------------------------------------------
    def find(self, platform: str, method: str, where: Callable[[Call], bool] = lambda c: True) -> List[Call]:
        with self._changed:
            return [c for c in self.calls if c.platform == platform and c.method == method and where(c)]

    def wait_for(self, platform: str, method: str, where: Callable[[Call], bool] = lambda c: True,
                 count: int = 1, timeout: float = 30) -> List[Call]:
        """The matching calls once there are at least `count`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.platform == platform and c.method == method and where(c)]
                if len(found) >= count or time.monotonic() > deadline:
                    break
                self._changed.wait(timeout=0.2)
        assert len(found) >= count, f"expected {count} {platform} {method} call(s), got {found}"
        return found

    def release(self) -> None:
        self._released.set()

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


# --- Slack requests -------------------------------------------------------------------------------
def slack_signature(body: bytes, timestamp: str, secret: str = SLACK_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def slack_headers(body: bytes, content_type: str, timestamp: Optional[int] = None, secret: str = SLACK_SECRET,
                  retry: Optional[tuple] = None) -> Dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": slack_signature(body, stamp, secret), "User-Agent": "Slackbot 1.0"}
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry[0]), "X-Slack-Retry-Reason": retry[1]})
    return headers


# --- the bot with every channel -------------------------------------------------------------------
API_TOKEN = "test-api-token"


class PlatformBot:
    """Action server + Rasa server (REST, Slack, Telegram) wired to a FakePlatformAPI."""

    def __init__(self) -> None:
        self.api = FakePlatformAPI()
        self.actions = self.rasa = None
        try:
            self.env = {
                "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET,
                "SLACK_CHANNEL": SLACK_CHANNEL, "SLACK_API_BASE_URL": self.api.slack_base,
                "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BOT_NAME": TELEGRAM_BOT,
                "TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK, "TELEGRAM_API_BASE_URL": self.api.telegram_base,
                "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "TELEGRAM_SET_WEBHOOK_ON_START": "true",
                **RETRY_ENV,
            }
            # setWebhook at start-up gets no answer at all: the worst case of an unreachable API.
            self.api.hang.add("setWebhook")
            self.credentials = LOGS / "credentials-platforms.yml"
            LOGS.mkdir(exist_ok=True)
            subprocess.run([str(BIN / "python"), "-m", "bot.channels.config", "--out", str(self.credentials)],
                           cwd=ROOT, env=environment(**self.env), check=True, capture_output=True, text=True)
            self.actions = start_actions(name="actions-platforms")
            actions_port = int(self.actions.health.rsplit(":", 1)[1].split("/")[0])
            self.started = time.monotonic()
            # Rasa's HTTP API, behind a token, lets tests read a conversation's tracker.
            self.rasa = start_rasa(actions_port, name="rasa-platforms", credentials=str(self.credentials),
                                   env=self.env, extra=["--enable-api", "--auth-token", API_TOKEN])
            self.startup_seconds = time.monotonic() - self.started
        except BaseException:
            self.stop()
            raise
        self.url = self.rasa.url
        self.rest = RestClient(self.url, API_TOKEN)
        self.slack_url = f"{self.url}/webhooks/slack/webhook"
        self.telegram_url = f"{self.url}/webhooks/telegram/webhook"

    def log(self, since: int = 0) -> str:
        """The Rasa server's log, from character `since` on (a length taken from an earlier log())."""
        return self.rasa.log.read_text(errors="replace")[since:]

    def slack(self, payload: Dict[str, Any], **header_options: Any) -> requests.Response:
        body = json.dumps(payload).encode()
        content_type = header_options.pop("content_type", "application/json")
        return requests.post(self.slack_url, data=body, headers=slack_headers(body, content_type, **header_options),
                             timeout=30)

    def slack_click(self, payload: Dict[str, Any], **header_options: Any) -> requests.Response:
        body = "payload=" + requests.utils.quote(json.dumps(payload), safe="")
        data = body.encode()
        return requests.post(self.slack_url, data=data,
                             headers=slack_headers(data, "application/x-www-form-urlencoded", **header_options),
                             timeout=30)

    def telegram(self, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET) -> requests.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return requests.post(self.telegram_url, json=update, headers=headers, timeout=60)

    def stop(self) -> None:
        for server in (self.rasa, self.actions):
            if server is not None:
                server.stop()
        self.api.stop()


_shared: Dict[str, PlatformBot] = {}


def shared_platform_bot(config) -> PlatformBot:
    """One PlatformBot for the whole pytest session, whichever module asks first; stopped at its end."""
    if "bot" not in _shared:
        _shared["bot"] = PlatformBot()
        config.add_cleanup(lambda: _shared.pop("bot").stop())
    return _shared["bot"]
