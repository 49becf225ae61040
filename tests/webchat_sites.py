"""What the web chat tests share: the greeting's buttons as domain.yml defines them, and the local
web servers the browser tests need besides the bot (sites that embed the widget from another
origin, a site that embeds rasa-webchat over socket.io, a reverse proxy that serves the bot under a
path prefix)."""
from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Type

import requests
import yaml

from tests.servers import ROOT

# The real widget sites embed, vendored (tests/vendor/README.md): never fetched at test time.
RASA_WEBCHAT = ROOT / "tests" / "vendor" / "rasa-webchat-1.0.1.js"
RASA_WEBCHAT_SHA256 = "bfedd788e4bd7df12f64b5bf2963e634f84bac1cb176b6cede60c507d3553f1e"


def _greeting() -> List[dict]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]["utter_greet"][0]["buttons"]


def greeting_buttons() -> List[str]:
    """Titles of the buttons under the bot's greeting, read from domain.yml so wording edits there
    don't break these tests."""
    return [button["title"] for button in _greeting()]


def greeting_button(payload: str) -> str:
    """The title of the greeting's button that sends `payload`."""
    titles = [button["title"] for button in _greeting() if button["payload"] == payload]
    assert titles, f"the greeting in domain.yml has no button for {payload}"
    return titles[0]


class LocalServer:
    """A threaded HTTP server on a free 127.0.0.1 port, in this process."""

    def __init__(self, handler: Type[BaseHTTPRequestHandler], path: str = "/"):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.origin + path
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def host_site(bot_url: str) -> LocalServer:
    """Another origin with a page that embeds the widget with one script tag, as a customer would."""
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Careers site</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            # The host's own CSS must not restyle the widget (it lives in a shadow root).
            f'<style>button {{ background: red; font-size: 30px; }}</style></head>'
            f'<body><h1>Jobs</h1><p>Openings this week.</p>'
            f'<script src="{bot_url}/webchat/widget.js" data-server="{bot_url}/" defer></script>'
            f'</body></html>').encode()

    class Page(Quiet):
        def do_GET(self) -> None:
            found = self.path == "/"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(page)

    return LocalServer(Page)


def rasa_webchat_site(bot_url: str) -> LocalServer:
    """Another origin whose page embeds rasa-webchat 1.0.1 as its README says, talking socket.io to
    the bot. `/?storage=local` keeps the session in localStorage instead of sessionStorage."""
    bundle = RASA_WEBCHAT.read_bytes()
    assert hashlib.sha256(bundle).hexdigest() == RASA_WEBCHAT_SHA256, f"{RASA_WEBCHAT} is not the vendored file"

    def page(storage: str) -> bytes:
        settings = {"selector": "#webchat", "initPayload": "/greet", "socketUrl": bot_url,
                    "socketPath": "/socket.io/", "customData": {"language": "en"},
                    "title": "BPO Careers Assistant", "params": {"storage": storage}}
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Careers site</title>'
                f'</head><body><h1>Jobs</h1><div id="webchat"></div>'
                f'<script src="/rasa-webchat-1.0.1.js"></script>'
                f'<script>WebChat.default({json.dumps(settings)}, null);</script></body></html>').encode()

    class Site(Quiet):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/":
                body, kind = page("local" if "storage=local" in query else "session"), "text/html; charset=utf-8"
            elif path == "/rasa-webchat-1.0.1.js":
                body, kind = bundle, "text/javascript; charset=utf-8"
            else:
                body, kind = b"", "text/plain"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return LocalServer(Site)


def prefix_proxy(upstream: str, prefix: str = "/bot/") -> LocalServer:
    """Forwards `prefix`... to the bot's `/`..., adding X-Forwarded-Host, as nginx or a cloud load
    balancer set up for a path would."""

    class Proxy(Quiet):
        def forward(self) -> None:
            if not self.path.startswith(prefix):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            headers["X-Forwarded-Host"] = self.headers["Host"]
            answer = requests.request(self.command, upstream + "/" + self.path[len(prefix):], headers=headers,
                                      data=self.rfile.read(length) if length else None, timeout=90,
                                      allow_redirects=False)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = forward

    return LocalServer(Proxy, prefix)
