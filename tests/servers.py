"""Start the real action server and Rasa server on free ports, for end-to-end tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "bpo-careers.tar.gz"
LOGS = ROOT / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(**extra: str) -> Dict[str, str]:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT), SANIC_HOST="127.0.0.1")
    env.update(extra)
    return env


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}; log:\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds} s; log:\n{log.read_text()[-3000:]}")


def stop_group(process: subprocess.Popen) -> None:
    """Ctrl-C to a process started with start_new_session and its children, as a person stops
    `make run`; whatever is still running after 30 s is killed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


class Server:
    """One background process with its log file under results/."""

    def __init__(self, name: str, args: List[str], health: str, env: Dict[str, str], timeout: float):
        LOGS.mkdir(exist_ok=True)
        self.log = LOGS / f"{name}.log"
        self.health = health
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT)
        wait_until_up(health, self.process, self.log, timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_actions(port: Optional[int] = None, name: str = "actions", **env: str) -> Server:
    port = port or free_port()
    args = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)]
    return Server(name, args, f"http://127.0.0.1:{port}/health", environment(**env), 90)


def start_rasa(actions_port: int, port: Optional[int] = None, name: str = "rasa", extra: List[str] = (),
               credentials: str = "credentials.yml", env: Optional[Dict[str, str]] = None,
               endpoints: Optional[str] = None, model: Path = MODEL) -> Server:
    """`credentials`: the channels file to mount; `env`: extra variables for the server (channel settings);
    `endpoints`: the endpoints file (tracker and lock stores, e.g. one written by bot.endpoints_config).
    Without one, a file naming only this action server is written: the repo's endpoints.yml points at
    Rasa's usual port 5055, and test servers run on free ports (conversations then stay in memory)."""
    if not model.exists():
        raise RuntimeError(f"{model} is missing: run `make train` (make test does it for you)")
    if endpoints is None:
        LOGS.mkdir(exist_ok=True)
        written = LOGS / f"endpoints-{name}.yml"
        written.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n", encoding="utf-8")
        endpoints = str(written)
    port = port or free_port()
    args = [str(BIN / "rasa"), "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1",
            "--credentials", credentials, "--endpoints", endpoints, *extra]
    env = environment(**(env or {}), ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook")
    server = Server(name, args, f"http://127.0.0.1:{port}/", env, 240)
    server.url = f"http://127.0.0.1:{port}"
    return server


class RestClient:
    """Talks to the bot over Rasa's REST channel, as a website backend would; with the server's API
    token it can also read a conversation's tracker."""

    def __init__(self, base_url: str, api_token: Optional[str] = None):
        self.base_url = base_url
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.api_token = api_token

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.base_url}/conversations/{sender}/tracker",
                                params={"token": self.api_token}, timeout=30)
        response.raise_for_status()
        return response.json()

    def last_turn_ends_listening(self, sender: str) -> bool:
        """The tracker's last action is action_listen: the bot is waiting for the person."""
        actions = [e["name"] for e in self.tracker(sender)["events"] if e["event"] == "action"]
        return bool(actions) and actions[-1] == "action_listen"

    def say(self, sender: str, message: str) -> List[dict]:
        response = requests.post(self.url, json={"sender": sender, "message": message}, timeout=60)
        response.raise_for_status()
        return response.json()

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))
