"""Build the endpoints file for `rasa run` from the environment.

    python -m bot.endpoints_config [--output results/endpoints.yml]

Rasa's endpoints.yml has no "use SQLite unless a database is configured", so this module writes one:

- action server: ACTION_SERVER_URL (default http://localhost:5055/webhook);
- conversations (tracker store): DB_URL. Unset or empty means a SQLite file, var/conversations.db
  under the project (or `sqlite:///path/to/file.db`, relative to the project unless absolute), which
  keeps every conversation through restarts on one machine. `postgresql://user:password@host:5432/db`
  switches to PostgreSQL, which several Rasa servers can share;
- lock store: REDIS_URL (`redis://host:6379/0`, `rediss://` for TLS) switches on Rasa's Redis lock
  store (in bot/stores/redis_lock.py, with its updates made atomic), so that two servers never work
  on the same conversation at once. Without it locks live in the server's memory, which is right
  for one server only. A Redis password goes in REDIS_PASSWORD.

Secrets never reach the written file: the PostgreSQL URL and the Redis password are written as
`${DB_URL}` / `${REDIS_PASSWORD}`, which Rasa fills in from the same environment when it reads the
file. A malformed value is an error naming the variable (exit 2), before any server starts.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import SplitResult, parse_qsl, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ACTION_SERVER_URL = "http://localhost:5055/webhook"
DEFAULT_SQLITE_PATH = "var/conversations.db"
POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg2")
# Rasa's Redis lock store with its read-change-write races closed (bot/stores/redis_lock.py).
LOCK_STORE = "bot.stores.redis_lock.AtomicRedisLockStore"
# Rasa's SQL tracker store, closing turns stored without an end (bot/stores/sql_store.py).
TRACKER_STORE = "bot.stores.sql_store.ListeningSQLTrackerStore"


class SettingError(ValueError):
    """A variable whose value can't be used; the message names it and says what is expected."""


@dataclass(frozen=True)
class Endpoints:
    config: Dict[str, Any]
    summary: List[str]
    warnings: List[str]


def _value(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _split(name: str, url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- urlsplit only checks the port when it is read
    except ValueError as error:
        raise SettingError(f"{name}: {error} in {_redacted(url)!r}") from None
    return parts


def _redacted(url: str) -> str:
    """The URL with any password replaced, for error messages and logs."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return parts._replace(netloc=netloc).geturl()
    except ValueError:
        return "<unparsable URL>"


def action_endpoint(env: Mapping[str, str]) -> Dict[str, Any]:
    url = _value(env, "ACTION_SERVER_URL") or DEFAULT_ACTION_SERVER_URL
    parts = _split("ACTION_SERVER_URL", url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(
            f"ACTION_SERVER_URL must look like http://host:5055/webhook, got {url!r}")
    return {"url": url}


def tracker_store(env: Mapping[str, str], root: Path = ROOT, prepare: bool = True) -> Tuple[Dict[str, Any], str]:
    """The tracker store settings; with `prepare`, a SQLite file's folder and log mode are set up."""
    url = _value(env, "DB_URL")
    if not url:
        return _sqlite(root / DEFAULT_SQLITE_PATH, prepare)
    parts = _split("DB_URL", url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/file.db or sqlite:////absolute/file.db, as SQLAlchemy writes them.
        if parts.netloc or not parts.path.strip("/"):
            raise SettingError(
                f"DB_URL: a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db, got {url!r}")
        path = Path(parts.path[1:])
        return _sqlite(path if path.is_absolute() else root / path, prepare)
    if scheme in ("postgres", "postgresql+asyncpg", "postgresql+pg8000"):
        raise SettingError(
            f"DB_URL: use the scheme postgresql:// (the psycopg2 driver Rasa ships with), got {scheme}://")
    if scheme not in POSTGRES_SCHEMES:
        raise SettingError(
            f"DB_URL must be empty (SQLite), sqlite:///file.db or postgresql://user:password@host:5432/database; "
            f"got {_redacted(url)!r}")
    database = parts.path.lstrip("/")
    if not parts.hostname or not database or "/" in database:
        raise SettingError(
            f"DB_URL needs a host and a database name: postgresql://user:password@host:5432/database; "
            f"got {_redacted(url)!r}")
    if parts.query:
        try:
            parse_qsl(parts.query, strict_parsing=True)  # options such as ?sslmode=require
        except ValueError:
            raise SettingError(f"DB_URL: the options after ? must be name=value pairs, got {parts.query!r}") from None
    port = parts.port or 5432
    # Rasa's SQL tracker store takes a complete URL in `url` as it is, so the password stays in the
    # environment and out of the written file.
    config = {"type": TRACKER_STORE, "dialect": "postgresql", "url": "${DB_URL}", "db": database}
    return config, f"PostgreSQL database {database!r} on {parts.hostname}:{port}"


def database_url(env: Mapping[str, str] = os.environ, root: Path = ROOT) -> str:
    """The SQLAlchemy URL of the conversation store the Rasa server uses in this environment."""
    store, _ = tracker_store(env, root, prepare=False)
    if store["dialect"] == "sqlite":
        return f"sqlite:///{store['db']}"
    return _value(env, "DB_URL")


def _sqlite(path: Path, prepare: bool) -> Tuple[Dict[str, Any], str]:
    path = path.resolve()
    if path.exists() and path.is_dir():
        raise SettingError(f"DB_URL: {path} is a folder, not a SQLite file")
    if prepare:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_ahead_log(path)
    return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(path)}, f"SQLite file {path}"


def _write_ahead_log(path: Path) -> None:
    """Switch the file to SQLite's write-ahead log, a setting the file keeps.

    Rasa commits after every message while the event loop waits; in the default rollback-journal mode
    each commit costs several disk syncs, with the log one, and a commit is just as durable.
    """
    try:
        with closing(sqlite3.connect(path, timeout=10)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise SettingError(f"DB_URL: can't open the SQLite file {path}: {error}") from None


def lock_store(env: Mapping[str, str]) -> Tuple[Optional[Dict[str, Any]], str]:
    url = _value(env, "REDIS_URL")
    if not url:
        return None, "in this server's memory (right for one server only)"
    parts = _split("REDIS_URL", url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SettingError(f"REDIS_URL must look like redis://host:6379/0 (rediss:// for TLS), got {_redacted(url)!r}")
    if parts.password is not None or parts.username:
        raise SettingError(
            "REDIS_URL: put the password in REDIS_PASSWORD, not in the URL, so it is never written to a file")
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise SettingError(f"REDIS_URL: the database after the last / must be a number, got {db!r}")
    config: Dict[str, Any] = {"type": LOCK_STORE, "url": parts.hostname, "port": parts.port or 6379, "db": int(db)}
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    if _value(env, "REDIS_PASSWORD"):
        config["password"] = "${REDIS_PASSWORD}"
    return config, f"Redis {parts.hostname}:{config['port']} db {config['db']}"


def build(env: Mapping[str, str] = os.environ, root: Path = ROOT) -> Endpoints:
    """The endpoints for this environment; raises SettingError for a value that can't work."""
    store, store_text = tracker_store(env, root)
    locks, locks_text = lock_store(env)
    config: Dict[str, Any] = {"action_endpoint": action_endpoint(env), "tracker_store": store}
    if locks:
        config["lock_store"] = locks
    warnings = []
    if store["dialect"] == "sqlite" and locks:
        warnings.append("REDIS_URL is set but conversations are in a SQLite file, which only one server can use: "
                        "set DB_URL to a PostgreSQL database to run several servers")
    return Endpoints(config, [f"conversations: {store_text}", f"conversation locks: {locks_text}"], warnings)


def render(endpoints: Endpoints) -> str:
    header = ("# Written by `python -m bot.endpoints_config` from ACTION_SERVER_URL, DB_URL, REDIS_URL and\n"
              "# REDIS_PASSWORD; edit those, not this file. ${...} values are filled in by Rasa from the\n"
              "# environment when it reads the file.\n")
    return header + yaml.safe_dump(endpoints.config, sort_keys=False, default_flow_style=False)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--quiet", "-q", action="store_true", help="don't describe the choice on stderr")
    args = parser.parse_args(argv)
    try:
        endpoints = build()
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    text = render(endpoints)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for warning in endpoints.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not args.quiet:
        for line in endpoints.summary:
            print(f"  {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
