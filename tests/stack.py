"""The bot with a real conversation store, for the production tests (persistence, scale-out, faults,
load, report): endpoints written by bot.endpoints_config as `make run` and docker-compose write them,
scripts/serve.sh itself, and direct reads of the store's `events` table to check what was kept."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests
import sqlalchemy as sa

from bot.endpoints_config import build, database_url, render
from tests.servers import LOGS, MODEL, ROOT, Server, environment, free_port, start_actions, start_rasa, stop_group

SERVE = ROOT / "scripts" / "serve.sh"

# As scripts/serve.sh and docker-compose.yml run the action server. Sanic closes a new connection
# that sends nothing for KEEP_ALIVE_TIMEOUT (5 s by default); a Rasa server busy with many
# conversations can take longer than that between connecting and sending, and the action then fails.
ACTION_SERVER_ENV = {"SANIC_KEEP_ALIVE_TIMEOUT": "60"}


def start_action_server(name: str, port: Optional[int] = None) -> Server:
    return start_actions(port=port, name=name, **ACTION_SERVER_ENV)


def port_of(server: Server) -> int:
    return int(server.health.rsplit(":", 1)[1].split("/")[0])


def write_endpoints(path: Path, actions_port: int, db_url: str = "", redis_url: str = "") -> Path:
    env = {"ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook", "DB_URL": db_url, "REDIS_URL": redis_url}
    path.write_text(render(build(env, ROOT)), encoding="utf-8")
    return path


def store_url(db_url: str) -> str:
    """SQLAlchemy URL of the store behind a DB_URL value (empty: the default SQLite file)."""
    return database_url({"DB_URL": db_url}, ROOT)


def start_bot(actions: Server, endpoints: Path, db_url: str = "", name: str = "rasa",
              extra: List[str] = (), port: Optional[int] = None, env: Optional[Dict[str, str]] = None) -> Server:
    """A Rasa server on the given endpoints; DB_URL is passed on because the file refers to it."""
    variables = {**({"DB_URL": db_url} if db_url else {}), **(env or {})}
    return start_rasa(port_of(actions), port=port, name=name, extra=list(extra), endpoints=str(endpoints),
                      env=variables or None)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Serve:
    """scripts/serve.sh (what `make run` runs) in the background on free ports, in its own process
    group so that nothing it started outlives the test."""

    def __init__(self, db_url: str, token: str = "", name: str = "serve"):
        self.rasa_port, self.actions_port = free_port(), free_port()
        env = environment(RASA_PORT=str(self.rasa_port), ACTIONS_PORT=str(self.actions_port),
                          ACTION_SERVER_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
                          DB_URL=db_url, REDIS_URL="", RASA_API_TOKEN=token)
        for name_ in ("SANIC_REQUEST_MAX_SIZE", "SANIC_KEEP_ALIVE_TIMEOUT"):
            env.pop(name_, None)  # serve.sh's own settings are the ones under test
        LOGS.mkdir(exist_ok=True)
        self.log = LOGS / f"{name}.log"
        self.process = subprocess.Popen([str(SERVE), str(MODEL)], cwd=ROOT, env=env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        deadline = time.monotonic() + 300
        while not (answers(f"{self.url}/") and answers(f"http://127.0.0.1:{self.actions_port}/health")):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"serve.sh did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)

    def say(self, sender: str, message: str) -> str:
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                 timeout=60)
        response.raise_for_status()
        return "\n".join(m.get("text", "") for m in response.json())

    def stop(self) -> None:
        """Ctrl-C as a person would: serve.sh stops both servers; whatever is left is killed."""
        stop_group(self.process)


def stored_events(url: str, sender: str) -> List[Dict]:
    """Every event of one conversation in the store, oldest first."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender})
            return [json.loads(data) for (data,) in rows]
    finally:
        engine.dispose()


def move_back_in_time(url: str, sender: str, seconds: float) -> None:
    """Make one stored conversation `seconds` older, as if the person had been away that long."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            rows = connection.execute(sa.text("SELECT id, data FROM events WHERE sender_id = :sender"),
                                      {"sender": sender}).fetchall()
            for row_id, data in rows:
                event = json.loads(data)
                event["timestamp"] -= seconds
                connection.execute(sa.text("UPDATE events SET data = :data, timestamp = :stamp WHERE id = :id"),
                                   {"data": json.dumps(event), "stamp": event["timestamp"], "id": row_id})
    finally:
        engine.dispose()


def user_texts(events: List[Dict]) -> List[str]:
    return [e.get("text") for e in events if e.get("event") == "user"]


def last_slot(events: List[Dict], name: str):
    value = None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
    return value


def turns_are_serial(events: List[Dict]) -> bool:
    """Each user message is followed by its actions up to action_listen before the next one starts.

    Two servers working on one conversation at once would interleave or drop events, breaking this.
    """
    waiting_for_listen = False
    for event in events:
        if event.get("event") == "user":
            if waiting_for_listen:
                return False
            waiting_for_listen = True
        elif event.get("event") == "action" and event.get("name") == "action_listen":
            waiting_for_listen = False
    return not waiting_for_listen


def assert_deo_skills(reply: str) -> None:
    """The answer to "what skills do I need for it?" while the Data Entry Operator is in focus.

    The general skills answer also lists typing, so the role's name is what shows the context held.
    """
    assert "What the Data Entry Operator role asks of you" in reply, reply
