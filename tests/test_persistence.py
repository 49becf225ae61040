"""Conversations survive restarts of `make run`, whose servers the HTTP API and body limits guard.

The generator tests need no server. The rest starts scripts/serve.sh itself (what `make run` runs)
twice on free ports, with the conversation store in a temporary SQLite file: first with an API
token, then without one.
"""
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from bot import endpoints_config
from bot.endpoints_config import TRACKER_STORE, SettingError, build, render
from tests.servers import BIN, ROOT, environment
from tests.stack import SERVE, Serve, assert_deo_skills, last_slot, store_url, stored_events, user_texts

# --- the endpoints generator, no server ---------------------------------------------------------------

def test_default_is_a_sqlite_file_under_var(tmp_path):
    config = build({}, tmp_path).config
    assert config["tracker_store"] == {"type": TRACKER_STORE, "dialect": "sqlite",
                                       "db": str(tmp_path / "var" / "conversations.db")}
    assert config["action_endpoint"] == {"url": "http://localhost:5055/webhook"}
    assert "lock_store" not in config
    assert (tmp_path / "var").is_dir()


def test_the_sqlite_file_uses_the_write_ahead_log(tmp_path):
    import sqlite3

    build({"DB_URL": "sqlite:///store/chats.db"}, tmp_path)
    connection = sqlite3.connect(tmp_path / "store" / "chats.db")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        connection.close()


def test_the_sqlite_file_is_not_in_training_data_nor_in_git():
    db = endpoints_config.DEFAULT_SQLITE_PATH
    assert not db.startswith("data/")  # Rasa reads every YAML file under data/ as training data
    ignored = subprocess.run(["git", "check-ignore", "-q", db], cwd=ROOT)
    assert ignored.returncode == 0, f"{db} must be ignored by git (.gitignore)"


@pytest.mark.parametrize("url, expected", [
    ("sqlite:///store/chats.db", "store/chats.db"),
    ("sqlite:////tmp/bpo/chats.db", "/tmp/bpo/chats.db"),
])
def test_sqlite_urls(tmp_path, url, expected):
    db = build({"DB_URL": url}, tmp_path).config["tracker_store"]["db"]
    assert db == str(Path(expected) if expected.startswith("/") else tmp_path / expected)


def test_postgresql_and_redis_for_several_servers(tmp_path):
    env = {"DB_URL": "postgresql://bpo:p%40ss@db.internal:6543/careers?sslmode=require",
           "REDIS_URL": "rediss://cache.internal:6380/2", "REDIS_PASSWORD": "hunter2",
           "ACTION_SERVER_URL": "http://actions:5055/webhook"}
    endpoints = build(env, tmp_path)
    assert endpoints.config["tracker_store"] == {"type": TRACKER_STORE, "dialect": "postgresql", "url": "${DB_URL}",
                                                 "db": "careers"}
    assert endpoints.config["lock_store"] == {"type": "bot.stores.redis_lock.AtomicRedisLockStore",
                                              "url": "cache.internal", "port": 6380, "db": 2, "use_ssl": True,
                                              "password": "${REDIS_PASSWORD}"}
    assert endpoints.config["action_endpoint"] == {"url": "http://actions:5055/webhook"}
    text = render(endpoints)
    assert "p%40ss" not in text and "hunter2" not in text  # secrets stay in the environment
    assert yaml.safe_load(text) == endpoints.config


@pytest.mark.parametrize("env, message", [
    ({"DB_URL": "postgres://u:p@h/db"}, "use the scheme postgresql://"),
    ({"DB_URL": "mysql://u:p@h/db"}, "DB_URL must be empty"),
    ({"DB_URL": "postgresql://u:p@h:70000/db"}, "Port out of range"),
    ({"DB_URL": "postgresql://u:p@h:5432"}, "needs a host and a database name"),
    ({"DB_URL": "postgresql:///db"}, "needs a host and a database name"),
    ({"DB_URL": "sqlite://relative.db"}, "a SQLite URL is"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must look like"),
    ({"REDIS_URL": "redis://:secret@localhost:6379/0"}, "put the password in REDIS_PASSWORD"),
    ({"REDIS_URL": "redis://localhost:6379/cache"}, "must be a number"),
    ({"ACTION_SERVER_URL": "actions:5055"}, "ACTION_SERVER_URL must look like"),
])
def test_malformed_values_are_named(tmp_path, env, message):
    with pytest.raises(SettingError) as error:
        build(env, tmp_path)
    assert message in str(error.value)
    assert "secret" not in str(error.value) and ":p@" not in str(error.value)


def test_command_line_reports_a_bad_url_before_anything_starts(tmp_path):
    result = subprocess.run([str(BIN / "python"), "-m", "bot.endpoints_config", "--output", str(tmp_path / "e.yml")],
                            cwd=ROOT, env=environment(DB_URL="postgresql://nobody@/"), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("error: DB_URL"), result.stderr
    assert not (tmp_path / "e.yml").exists()


def test_rasa_accepts_the_written_file(tmp_path):
    from rasa.core.lock_store import InMemoryLockStore, LockStore
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    path = tmp_path / "endpoints.yml"
    path.write_text(render(build({"DB_URL": f"sqlite:///{tmp_path / 'c.db'}"}, tmp_path)), encoding="utf-8")
    store = TrackerStore.create(read_endpoint_config(str(path), "tracker_store"))
    assert isinstance(store, SQLTrackerStore) and (tmp_path / "c.db").exists()
    assert isinstance(LockStore.create(read_endpoint_config(str(path), "lock_store")), InMemoryLockStore)

    from bot.stores.redis_lock import AtomicRedisLockStore

    path.write_text(render(build({"REDIS_URL": "redis://127.0.0.1:6390/3"}, tmp_path)), encoding="utf-8")
    locks = LockStore.create(read_endpoint_config(str(path), "lock_store"))  # connects only when used
    assert isinstance(locks, AtomicRedisLockStore)
    assert locks.red.connection_pool.connection_kwargs["port"] == 6390
    assert locks.red.connection_pool.connection_kwargs["db"] == 3


# --- scripts/serve.sh, restarted ------------------------------------------------------------------------

def refused(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
        return False
    except requests.ConnectionError:
        return True


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('persistence') / 'conversations.db'}"


def test_make_run_keeps_conversations_through_a_restart(store):
    user, token = f"persist-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    big_sender = f"big-{uuid.uuid4().hex[:10]}"

    first = Serve(store, token, name="serve-persistence-1")
    try:
        assert "Data Entry Operator" in first.say(user, "what does a DEO do?")
        # The HTTP API is on because a token was given, and answers only with it.
        assert requests.get(f"{first.url}/status", timeout=10).status_code == 401
        assert requests.get(f"{first.url}/status", params={"token": "wrong"}, timeout=10).status_code == 401
        assert requests.get(f"{first.url}/status", params={"token": token}, timeout=10).status_code == 200
        tracker = requests.get(f"{first.url}/conversations/{user}/tracker", params={"token": token},
                               timeout=10).json()
        assert tracker["slots"]["role"] == "data_entry_operator"

        # Oversized bodies are refused before Rasa reads them, declared or streamed.
        huge = {"sender": big_sender, "message": "what is bpo " * 10_000}
        response = requests.post(f"{first.url}/webhooks/rest/webhook", json=huge, timeout=30)
        assert response.status_code == 413, response.text[:200]
        chunks = (b'{"sender": "%s", "message": "' % big_sender.encode(), b"x" * 200_000, b'"}')
        response = requests.post(f"{first.url}/webhooks/rest/webhook", data=iter(chunks), timeout=30,
                                 headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 413), response.text[:200]
        assert requests.post(f"{first.url}/conversations/{big_sender}/messages", params={"token": token},
                             json={"text": "x" * 100_000, "sender": "user"}, timeout=30).status_code == 413
        # A long but sane message (under the 5,000 characters REST accepts) still works.
        assert first.say(big_sender + "-ok", "what are the shift timings? " + "please " * 600)
    finally:
        first.stop()
    assert refused(first.url) and refused(f"http://127.0.0.1:{first.actions_port}/health")
    assert stored_events(store_url(store), big_sender) == []

    second = Serve(store, name="serve-persistence-2")  # no token this time
    try:
        assert_deo_skills(second.say(user, "what skills do I need for it?"))
        # Without a token the HTTP API is off altogether.
        assert requests.get(f"{second.url}/status", timeout=10).status_code == 404
        assert requests.get(f"{second.url}/conversations/{user}/tracker", timeout=10).status_code == 404
    finally:
        second.stop()

    events = stored_events(store_url(store), user)
    assert user_texts(events) == ["what does a DEO do?", "what skills do I need for it?"]
    assert last_slot(events, "role") == "data_entry_operator"


def test_serve_sh_only_enables_the_api_with_a_token():
    lines = [line for line in SERVE.read_text().splitlines() if "--enable-api" in line]
    assert lines and all("--auth-token" in line for line in lines), lines
    assert 'if [ -n "${RASA_API_TOKEN:-}" ]' in SERVE.read_text()
