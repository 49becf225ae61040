"""Plain Rasa commands in the repo, as a Rasa user types them: no Makefile, no generated files.

`rasa run actions` on Rasa's usual port 5055, then `rasa run --enable-api --auth-token T` and
`rasa shell` with the repo's own endpoints.yml and credentials.yml, which must work without any
environment variable set.
"""
import os
import signal
import socket
import subprocess
import uuid

import pytest
import requests

from tests.servers import LOGS, ROOT, BIN, Server, free_port, wait_until_up

pexpect = pytest.importorskip("pexpect")

ACTIONS_PORT = 5055  # the port the repo's endpoints.yml names, as in any Rasa project
TOKEN = "plain-rasa-test-token"


def plain_environment() -> dict:
    """The user's environment: none of the variables the Makefile or the tests set."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "ACTION_SERVER_URL", "DB_URL", "REDIS_URL", "WEBCHAT_ALLOWED_ORIGINS")}
    env.update(RASA_TELEMETRY_ENABLED="false", PATH=f"{BIN}:{env.get('PATH', '')}")
    return env


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def action_server():
    if port_taken(ACTIONS_PORT):
        pytest.fail(f"port {ACTIONS_PORT} is taken; stop what runs there (an action server from `make run`?)")
    server = Server("plain-actions", ["rasa", "run", "actions", "--actions", "actions"],
                    f"http://127.0.0.1:{ACTIONS_PORT}/health", plain_environment(), 90)
    yield server
    server.stop()


def test_rasa_run_with_the_repos_files_answers_over_rest_and_the_api(action_server):
    port = free_port()
    log = LOGS / "plain-rasa-run.log"
    process = subprocess.Popen(["rasa", "run", "--enable-api", "--auth-token", TOKEN, "--port", str(port)],
                               cwd=ROOT, env=plain_environment(), stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, log, 240)
        reply = requests.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                              json={"sender": f"plain-{uuid.uuid4().hex[:8]}", "message": "what are the shift timings?"},
                              timeout=60).json()
        text = " ".join(m.get("text", "") for m in reply)
        assert "night and rotating shifts" in text, reply
        assert requests.get(f"http://127.0.0.1:{port}/status", params={"token": TOKEN}, timeout=10).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/status", timeout=10).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_rasa_shell_with_the_repos_files_answers(action_server):
    transcript = (LOGS / "plain-rasa-shell.log").open("w")
    child = pexpect.spawn("rasa", ["shell", "--port", str(free_port())], cwd=str(ROOT), env=plain_environment(),
                          encoding="utf-8", codec_errors="replace", dimensions=(50, 220), timeout=300,
                          logfile=transcript)
    try:
        child.expect("Bot loaded")
        child.expect("Your input ->", timeout=60)
        child.send("which companies hire for bpo\r")
        child.expect("Teleperformance", timeout=60)
    finally:
        if child.isalive():
            child.kill(signal.SIGTERM)
            child.close(force=True)
        transcript.close()
