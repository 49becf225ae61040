"""Real PostgreSQL and Redis servers for the scale-out and report tests, on loopback only.

Where they come from, first match wins:
1. TEST_DB_URL / TEST_REDIS_URL: servers someone already runs (`make test` starts them with
   scripts/test-services.sh). TEST_DB_URL must let its user create databases: each test module
   gets a database of its own and drops it afterwards.
2. Debian's postgresql / redis-server binaries: a throw-away server in a temporary folder, on a
   free port, stopped when the module is done.
3. Neither: the test is skipped with a message saying how to install them (under `make test` a
   skip fails the run: tests/conftest.py).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.servers import free_port

INSTALL_HINT = "apt-get install postgresql redis-server (or run scripts/test-services.sh)"


def unavailable(reason: str) -> None:
    """Skip, saying what to install (a failure under `make test`, see tests/conftest.py)."""
    pytest.skip(f"{reason}; install with: {INSTALL_HINT}")


def _postgres_bin(name: str) -> Optional[str]:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


def _wait(check, seconds: float, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 -- not up yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up in {seconds} s:\n{log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a database on a PostgreSQL server whose user may create databases."""
    url = os.environ.get("TEST_DB_URL")
    if url:
        yield url
        return
    initdb, postgres = _postgres_bin("initdb"), _postgres_bin("postgres")
    if not (initdb and postgres):
        unavailable("PostgreSQL is not installed and TEST_DB_URL is not set")
    folder = Path(tempfile.mkdtemp(prefix="bpo-pg-"))
    # PostgreSQL refuses to run as root; Debian's package creates the `postgres` user for it.
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(folder, user)
    data, log = folder / "data", folder / "server.log"
    try:
        subprocess.run([initdb, "-D", str(data), "-U", "bpo", "--auth=trust", "-E", "UTF8"], check=True,
                       capture_output=True, user=user, timeout=120)
        port = free_port()
        # Durability settings off: a throw-away test server, never production.
        process = subprocess.Popen(
            [postgres, "-D", str(data), "-p", str(port), "-k", str(folder), "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            stdout=log.open("w"), stderr=subprocess.STDOUT, user=user)
        url = f"postgresql://bpo@127.0.0.1:{port}/postgres"
        try:
            _wait(lambda: _connect(url).close() or True, 60, "postgres", process, log)
            yield url
        finally:
            _stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _connect(url: str):
    import psycopg2

    connection = psycopg2.connect(url, connect_timeout=3)
    connection.autocommit = True
    return connection


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards; yields its URL."""
    name = f"bpo_test_{uuid.uuid4().hex[:12]}"
    admin = _connect(server_url)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(server_url)
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@contextmanager
def redis_server() -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if not binary:
        unavailable("redis-server is not installed and TEST_REDIS_URL is not set")
    folder = Path(tempfile.mkdtemp(prefix="bpo-redis-"))
    port, log = free_port(), folder / "server.log"
    args: List[str] = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                       "--dir", str(folder)]
    process = subprocess.Popen(args, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        _wait(lambda: redis.Redis.from_url(url, socket_timeout=2).ping(), 30, "redis-server", process, log)
        yield url
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)
