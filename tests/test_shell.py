"""`make shell` for real: scripts/shell.sh (action server + `rasa shell`) driven through a pseudo-terminal.

A person's session, keystroke by keystroke: typed questions, answers whose buttons appear as a menu
(Enter picks the highlighted one, arrows move), then /stop, after which the action server the
script started must be gone.
"""
import contextlib
import os
import signal
import socket
import time

import pytest

from tests.servers import LOGS, MODEL, ROOT, environment, free_port

pexpect = pytest.importorskip("pexpect")

PROMPT = "Your input ->"
FREE_TEXT = "Type out your own message"
UP = "\x1b[A"


def port_is_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def shell(log_name: str, **extra_env: str):
    """scripts/shell.sh in a pseudo-terminal on free ports, up to its first prompt; stopped on exit.
    `extra_env`: more settings for the script (e.g. DB_URL for a conversation store of the test's own)."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    actions_port, rasa_port = free_port(), free_port()
    if "RASA_PORT" not in (ROOT / "scripts" / "shell.sh").read_text() and port_is_open(5005):
        pytest.fail("scripts/shell.sh always uses port 5005, which is taken: stop what runs there")
    env = environment(ACTIONS_PORT=str(actions_port), RASA_PORT=str(rasa_port),
                      ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                      TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", **extra_env)
    LOGS.mkdir(exist_ok=True)
    transcript = (LOGS / log_name).open("w")
    child = pexpect.spawn("bash", ["scripts/shell.sh", str(MODEL)], cwd=str(ROOT), env=env, encoding="utf-8",
                          codec_errors="replace", dimensions=(50, 220), timeout=60, logfile=transcript)
    child.actions_port = actions_port
    try:
        child.expect("Bot loaded", timeout=300)
        child.expect(PROMPT)
        yield child
    finally:
        if child.isalive():
            # The script and the action server it started share the child's process group.
            os.killpg(child.pid, signal.SIGTERM)
            child.close(force=True)
        transcript.close()


def stop(child) -> None:
    """/stop, as a person ends `make shell`: the script must exit cleanly."""
    child.send("/stop\r")
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0, child.before


@pytest.fixture(scope="module")
def shell_session():
    with shell("shell-session.log") as child:
        yield child


def pick(child, keys: str = "") -> None:
    """In a button menu: move with `keys` (arrow escapes), then Enter."""
    child.expect(FREE_TEXT)  # the menu's last line: it is fully drawn
    time.sleep(0.3)
    if keys:
        child.send(keys)
        time.sleep(0.3)
    child.send("\r")


def test_shell_session(shell_session):
    child = shell_session
    child.send("what are the shift timings\r")
    child.expect("night and rotating shifts")
    # The answer's follow-up buttons form a menu; Enter takes the first, "Voice vs non-voice".
    pick(child)
    child.expect("telemarketing")
    # Up from the first entry wraps to "Type out your own message...", back to the text prompt.
    pick(child, UP)
    child.expect(PROMPT)

    child.send("hi\r")
    child.expect("What is BPO\\?")
    pick(child)
    child.expect("outside provider")
    pick(child, UP)
    child.expect(PROMPT)

    stop(child)
    deadline = time.monotonic() + 15
    while port_is_open(child.actions_port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not port_is_open(child.actions_port), "the action server outlived the shell"
