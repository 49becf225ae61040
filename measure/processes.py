"""Servers started and stopped for the benchmark, and what is read from them: readiness, the time
until the first answer over REST, resident memory and CPU time (from /proc), and the machine.

Every process runs in its own session (process group), so that stopping it also stops whatever it
started (scripts/serve.sh starts two servers); every wait is bounded. Loopback only.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Sequence

import requests

from tests.servers import stop_group

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "results" / "bench"
REST_PATH = "/webhooks/rest/webhook"
EMPTY_LIMIT = 30  # seconds of empty answers from a listening Rasa server before giving up


def env(**extra: str) -> Dict[str, str]:
    values = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT), SANIC_HOST="127.0.0.1")
    # A caller's own settings must not leak into one side only: each bot gets serve.sh's values below.
    for name in ("SANIC_REQUEST_MAX_SIZE", "SANIC_KEEP_ALIVE_TIMEOUT", "DB_URL", "REDIS_URL", "RASA_API_TOKEN"):
        values.pop(name, None)
    values.update(extra)
    return values


class Process:
    """One background process (and its children), its output in results/bench/NAME.log."""

    def __init__(self, name: str, args: List[str], cwd: Path, environment: Dict[str, str]):
        OUT.mkdir(parents=True, exist_ok=True)
        self.name, self.log = name, OUT / f"{name}.log"
        self.started = time.perf_counter()
        self.process = subprocess.Popen(args, cwd=cwd, env=environment, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def check(self) -> None:
        if not self.alive():
            raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """Ctrl-C to the whole group, as a person stops `make run`; whatever is left is killed."""
        stop_group(self.process)


def stop_all(processes: Sequence[Process]) -> None:
    for process in reversed(processes):
        process.stop()


def wait_for_health(url: str, processes: Sequence[Process], limit: float = 180) -> float:
    """Seconds since the last of `processes` started until `url` answers 200."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for process in processes:
            process.check()
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - processes[-1].started
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {limit} s")


def wait_for_answer(url: str, processes: Sequence[Process], since: float, limit: float = 600) -> float:
    """Seconds from `since` (a perf_counter time) until the REST channel gives a non-empty reply.

    Polled every 0.1 s, as a person would retry: a refused connection means not up yet. A Rasa server
    whose model failed to load still listens and answers every message with nothing, so empty
    answers for EMPTY_LIMIT seconds are an error (with the server's log) rather than a long wait.
    """
    deadline, empty_since = time.monotonic() + limit, None
    while time.monotonic() < deadline:
        for process in processes:
            process.check()
        try:
            response = requests.post(url + REST_PATH, json={"sender": "bench-first", "message": "hello"}, timeout=60)
            if response.status_code == 200 and response.json():
                return time.perf_counter() - since
            empty_since = empty_since or time.monotonic()
            if time.monotonic() - empty_since > EMPTY_LIMIT:
                raise RuntimeError(f"{url} answers with no reply (no model loaded?); "
                                   f"{processes[-1].log}:\n{processes[-1].log.read_text()[-3000:]}")
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {limit} s")


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads included.

    It depends far less than wall time on whatever else the machine runs, so it is the steadier
    number on a shared machine.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> Dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    import jsonschema
    import rasa
    import rasa_sdk

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{int(memory) / 1024 / 1024:.1f} GiB",
        "system": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "versions": f"rasa {rasa.__version__}, rasa-sdk {rasa_sdk.__version__}, jsonschema {jsonschema.__version__}",
        "load average": "%.2f %.2f %.2f at the start" % os.getloadavg(),
    }
