"""Benchmark the bot as `make run` serves it, and a stock `rasa init` bot in the same run.

    .venv/bin/python -m tests.bench [--skip-training] [--profile] [--no-stock] [--no-write]

Measures, for each bot: training from scratch (an empty Rasa cache, into results/bench/, never
into models/); start until the first answer over REST (action server and Rasa server launched
together); REST turn latency p50/p95/p99 one turn at a time and with 20 conversations at once
(action server included); turns per second at 20 at once; resident memory (RSS, now and peak) of
the Rasa server and of the action server; CPU time per turn of both servers (which depends much
less on whatever else the machine is running than wall time does). Prints a table with the targets and the ours/stock
ratios, and rewrites the generated part of docs/benchmarks.md with the machine it ran on (text
outside the markers, such as the profiling notes, is kept).

Our bot is served like `make run` serves it: models/bpo-careers.tar.gz, conversations in a SQLite
file (a fresh one under results/bench/), the action server with serve.sh's settings. The stock bot
runs as `rasa init` leaves it (in-memory conversations; its flows call no custom action, but its
action server is started too, so the memory columns compare like with like).

--profile samples the Rasa server with py-spy (PY_SPY=path, else py-spy on PATH, else
/tmp/pyspy/bin/py-spy) while it starts and during the 20-conversation run, and writes the
heaviest call paths to results/bench/profile-*.txt. Everything runs on loopback; every phase is
bounded in turns and time; every process started here is stopped here.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import requests

from bot.endpoints_config import build, render
from tests import loadtest
from tests.servers import free_port
from tests.stack import ACTION_SERVER_ENV

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "results" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
MODEL = ROOT / "models" / "bpo-careers.tar.gz"
START, END = "<!-- bench:start (written by tests/bench.py) -->", "<!-- bench:end -->"

SEQUENTIAL = (5, 20)  # conversations x turns, one turn at a time
CONCURRENT = (20, 20)  # 20 conversations at once, 20 turns each

TARGETS = {  # metric: (limit, "max" or "min"), for 2 cores
    "training_s": (120, "max"),
    "first_answer_s": (20, "max"),
    "seq_p50_ms": (40, "max"),
    "seq_p95_ms": (100, "max"),
    "conc_turns_per_s": (50, "min"),
    "rasa_rss_mb": (1200, "max"),
}
LABELS = {
    "training_s": "training from scratch (s)",
    "first_answer_s": "start until first answer (s)",
    "seq_p50_ms": "one at a time: p50 (ms)",
    "seq_p95_ms": "one at a time: p95 (ms)",
    "seq_p99_ms": "one at a time: p99 (ms)",
    "conc_p50_ms": "20 at once: p50 (ms)",
    "conc_p95_ms": "20 at once: p95 (ms)",
    "conc_p99_ms": "20 at once: p99 (ms)",
    "conc_turns_per_s": "20 at once: turns/s",
    "rasa_rss_mb": "Rasa server RSS after the runs (MB)",
    "rasa_peak_mb": "Rasa server peak RSS (MB)",
    "actions_rss_mb": "action server RSS after the runs (MB)",
    "rasa_cpu_ms_per_turn": "Rasa server CPU per turn, 20 at once (ms)",
    "actions_cpu_ms_per_turn": "action server CPU per turn, 20 at once (ms)",
}


def env(**extra: str) -> Dict[str, str]:
    values = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT), SANIC_HOST="127.0.0.1")
    values.update(extra)
    return values


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads included."""
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


# --- processes ----------------------------------------------------------------------------------------

class Process:
    def __init__(self, name: str, args: List[str], cwd: Path, environment: Dict[str, str]):
        OUT.mkdir(parents=True, exist_ok=True)
        self.name, self.log = name, OUT / f"{name}.log"
        self.started = time.perf_counter()
        self.process = subprocess.Popen(args, cwd=cwd, env=environment, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for_answer(url: str, rasa: Process, actions: Process, limit: float = 600) -> float:
    """Seconds from launching both servers until the REST channel gives a reply."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for process in (rasa, actions):
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.log.read_text()[-3000:]}")
        try:
            response = requests.post(url + loadtest.REST.path, json={"sender": "bench-first", "message": "hello"},
                                     timeout=30)
            if response.status_code == 200 and response.json():
                return time.perf_counter() - rasa.started
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {limit} s")


def py_spy() -> Optional[str]:
    for candidate in (os.environ.get("PY_SPY"), shutil.which("py-spy"), "/tmp/pyspy/bin/py-spy"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class Profiler:
    """py-spy sampling one process into collapsed stacks."""

    def __init__(self, pid: int, name: str, seconds: int):
        self.raw = OUT / f"profile-{name}.raw"
        spy = py_spy()
        if not spy:
            raise RuntimeError("--profile needs py-spy: python3 -m pip install --target /tmp/pyspy py-spy")
        extra = {"PYTHONPATH": str(Path(spy).parent.parent)} if spy.startswith("/tmp/pyspy") else {}
        self.process = subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "100", "-f", "raw",
                                         "-o", str(self.raw), "--nonblocking"], env=env(**extra),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self, title: str) -> Path:
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
        summary = OUT / self.raw.name.replace(".raw", ".txt")
        summary.write_text(summarise_profile(self.raw, title), encoding="utf-8")
        return summary


def summarise_profile(raw: Path, title: str, top: int = 45) -> str:
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    if not raw.exists():
        return f"{title}: no samples\n"
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = line.rsplit(" ", 1)
        count = int(count)
        total += count
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{title}: {total} samples at 100 Hz", "", "inclusive (share of samples with the function on the stack):"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "self (share of samples in the function itself):"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(20)]
    return "\n".join(lines) + "\n"


# --- one bot ------------------------------------------------------------------------------------------

@dataclass
class Bot:
    name: str
    folder: Path  # project folder: where `rasa train` and `rasa run actions` run
    model: Path
    endpoints: Callable[[int], str]  # the endpoints file's text, given the action server's port
    scripts: loadtest.ScriptMaker
    action_env: Dict[str, str] = field(default_factory=dict)
    rasa_env: Dict[str, str] = field(default_factory=dict)
    servers: int = 1  # Rasa servers sharing the conversations (more than one needs PostgreSQL + Redis)
    results: Dict[str, float] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)


def train(bot: Bot, out: Path) -> None:
    cache = Path(tempfile.mkdtemp(prefix=f"bench-cache-{bot.name}-"))
    try:
        started = time.perf_counter()
        result = subprocess.run(
            [str(BIN / "rasa"), "train", "--force", "--out", str(out), "--fixed-model-name", f"bench-{bot.name}"],
            cwd=bot.folder, env=env(RASA_CACHE_DIRECTORY=str(cache)), capture_output=True, text=True, timeout=1800)
        elapsed = time.perf_counter() - started
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    (OUT / f"train-{bot.name}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        raise RuntimeError(f"training {bot.name} failed; see {OUT / f'train-{bot.name}.log'}")
    bot.results["training_s"] = elapsed


def serve_and_measure(bot: Bot, profile: bool) -> None:
    actions_port = free_port()
    endpoints = OUT / f"endpoints-{bot.name}.yml"
    endpoints.write_text(bot.endpoints(actions_port), encoding="utf-8")
    actions = Process(f"actions-{bot.name}", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                              "--port", str(actions_port)], bot.folder, env(**bot.action_env))
    servers, urls = [], []
    for index in range(bot.servers):
        port = free_port()
        servers.append(Process(f"rasa-{bot.name}" + (f"-{index + 1}" if bot.servers > 1 else ""),
                               [str(BIN / "rasa"), "run", "--model", str(bot.model), "--port", str(port),
                                "--interface", "127.0.0.1", "--endpoints", str(endpoints)],
                               bot.folder, env(**bot.rasa_env)))
        urls.append(f"http://127.0.0.1:{port}")
    rasa = servers[0]
    try:
        start_profile = None
        if profile:
            time.sleep(1)  # py-spy can attach once the interpreter runs; the first second goes unsampled
            start_profile = Profiler(rasa.process.pid, f"{bot.name}-start", 120)
        url = urls if bot.servers > 1 else urls[0]
        bot.results["first_answer_s"] = max(wait_for_answer(one, server, actions)
                                            for one, server in zip(urls, servers, strict=True))
        if start_profile:
            start_profile.process.send_signal(signal.SIGINT)
            summary = start_profile.finish(f"{bot.name}: Rasa server start-up")
            bot.notes.append("profile: " + str(summary.relative_to(ROOT)))

        loadtest.run_blocking(url, loadtest.named(f"bench-warm-{bot.name}", bot.scripts(2, 4)))
        sequential = loadtest.Result()
        for index, script in enumerate(bot.scripts(*SEQUENTIAL)):
            one = loadtest.run_blocking(url, {f"bench-seq-{bot.name}-{index}": script})
            sequential.turns += one.turns
            sequential.latencies += one.latencies
            sequential.failed += one.failed + one.lost + one.wrong
            sequential.elapsed += one.elapsed
        load_profile = Profiler(rasa.process.pid, f"{bot.name}-load", 30) if profile else None
        def cpu() -> Tuple[float, float]:
            return sum(cpu_seconds(s.process.pid) for s in servers), cpu_seconds(actions.process.pid)

        cpu_before = cpu()
        concurrent = loadtest.run_blocking(url, loadtest.named(f"bench-conc-{bot.name}", bot.scripts(*CONCURRENT)))
        cpu_after = cpu()
        if load_profile:
            summary = load_profile.finish(f"{bot.name}: Rasa server, 20 conversations at once")
            bot.notes.append("profile: " + str(summary.relative_to(ROOT)))
        for label, result in (("one at a time", sequential), ("20 at once", concurrent)):
            problems = result.failed + result.lost + result.wrong
            if problems:
                bot.notes.append(f"{label}: {len(problems)} problem turns, e.g. {problems[0]}")
        bot.results.update({
            "seq_p50_ms": sequential.percentile(50) * 1000, "seq_p95_ms": sequential.percentile(95) * 1000,
            "seq_p99_ms": sequential.percentile(99) * 1000,
            "conc_p50_ms": concurrent.percentile(50) * 1000, "conc_p95_ms": concurrent.percentile(95) * 1000,
            "conc_p99_ms": concurrent.percentile(99) * 1000, "conc_turns_per_s": concurrent.throughput,
            "rasa_rss_mb": max(rss_mb(s.process.pid) for s in servers),
            "rasa_peak_mb": max(rss_mb(s.process.pid, "VmHWM") for s in servers),
            "actions_rss_mb": rss_mb(actions.process.pid),
            # CPU time depends far less than wall time on what else the machine runs.
            "rasa_cpu_ms_per_turn": (cpu_after[0] - cpu_before[0]) * 1000 / max(len(concurrent.latencies), 1),
            "actions_cpu_ms_per_turn": (cpu_after[1] - cpu_before[1]) * 1000 / max(len(concurrent.latencies), 1),
        })
    finally:
        for server in servers:
            server.stop()
        actions.stop()


# --- the two bots -------------------------------------------------------------------------------------

def our_bot(work: Path) -> Bot:
    store = work / "conversations.db"

    def endpoints(actions_port: int) -> str:
        for stale in work.glob("conversations.db*"):
            stale.unlink()
        return render(build({"ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
                             "DB_URL": f"sqlite:///{store}"}, ROOT))

    return Bot("ours", ROOT, MODEL, endpoints, loadtest.project_scripts, action_env=dict(ACTION_SERVER_ENV),
               rasa_env={"SANIC_REQUEST_MAX_SIZE": "65536"})


def scaled_bot(servers: int, db_url: str, redis_url: str) -> Bot:
    """Ours on several Rasa servers sharing PostgreSQL and Redis, turns sent to them in turn."""

    def endpoints(actions_port: int) -> str:
        return render(build({"ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook", "DB_URL": db_url,
                             "REDIS_URL": redis_url}, ROOT))

    return Bot(f"ours-{servers}-servers", ROOT, MODEL, endpoints, loadtest.project_scripts,
               action_env=dict(ACTION_SERVER_ENV), rasa_env={"SANIC_REQUEST_MAX_SIZE": "65536", "DB_URL": db_url},
               servers=servers)


def stock_bot(work: Path) -> Bot:
    folder = work / "stock"
    if not (folder / "domain.yml").exists():
        from rasa.cli.scaffold import create_initial_project

        create_initial_project(str(folder))
    return Bot("stock", folder, folder / "models" / "bench-stock.tar.gz", lambda port: "", loadtest.stock_scripts)


# --- report -------------------------------------------------------------------------------------------

def verdict(metric: str, value: float) -> str:
    if metric not in TARGETS or value != value:
        return ""
    limit, kind = TARGETS[metric]
    ok = value <= limit if kind == "max" else value >= limit
    return f"{'met' if ok else 'MISSED'} ({'<=' if kind == 'max' else '>='} {limit})"


def table(ours: Bot, stock: Optional[Bot]) -> str:
    rows = ["| metric | ours | stock `rasa init` | ours / stock | target (2 cores) |", "|---|---:|---:|---:|---|"]
    for metric, label in LABELS.items():
        value = ours.results.get(metric)
        if value is None:
            continue
        other = stock.results.get(metric) if stock else None
        ratio = f"{value / other:.2f}" if other else ""
        rows.append(f"| {label} | {value:.1f} | {'' if other is None else f'{other:.1f}'} | {ratio} | "
                    f"{verdict(metric, value)} |")
    return "\n".join(rows)


def scaled_table(ours: Bot, scaled: Bot) -> str:
    rows = [f"| metric | 1 server, SQLite | {scaled.servers} servers, PostgreSQL + Redis | target (2 cores) |",
            "|---|---:|---:|---|"]
    for metric, label in LABELS.items():
        if metric in scaled.results and metric in ours.results:
            label = label.replace("Rasa server", "each Rasa server") if metric.endswith("_mb") else label
            label = label.replace("Rasa server CPU", "Rasa servers' CPU")
            rows.append(f"| {label} | {ours.results[metric]:.1f} | {scaled.results[metric]:.1f} | "
                        f"{verdict(metric, scaled.results[metric])} |")
    return "\n".join(rows)


def write_doc(info: Dict[str, str], ours: Bot, stock: Optional[Bot], scaled: Optional[Bot],
              notes: List[str], options: List[str]) -> None:
    command = " ".join([".venv/bin/python -m tests.bench"] + options)
    called = "`make bench`, i.e. " if not options else ""
    block = [START, "", f"Run of {info['date']} ({called}`{command}`), on:", ""]
    block += [f"- {k}: {v}" for k, v in info.items() if k != "date"]
    block += ["", table(ours, stock), ""]
    if scaled:
        block += [f"The same bot on {scaled.servers} Rasa servers sharing one PostgreSQL and one Redis on this "
                  "machine, each conversation's turns sent to the servers in turn (`--servers`):", "",
                  scaled_table(ours, scaled), ""]
    block += [f"- {note}" for note in notes] + ["", END]
    generated = "\n".join(block)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = text[:text.index(START)] + generated + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + generated + "\n"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-training", action="store_true", help="don't time training (reuse results/bench models)")
    parser.add_argument("--profile", action="store_true", help="sample the Rasa servers with py-spy")
    parser.add_argument("--no-stock", action="store_true", help="measure our bot only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--servers", type=int, default=1,
                        help="also measure ours on this many Rasa servers sharing PostgreSQL + Redis")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train` first", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    print("Machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()), flush=True)

    bots = [our_bot(OUT)] + ([] if args.no_stock else [stock_bot(OUT)])
    for bot in bots:
        if not args.skip_training:
            print(f"[{bot.name}] training from scratch ...", flush=True)
            train(bot, (OUT / "models") if bot.name == "ours" else bot.model.parent)
            print(f"[{bot.name}] trained in {bot.results['training_s']:.1f} s", flush=True)
        if not bot.model.exists():
            print(f"error: {bot.model} is missing: run without --skip-training once", file=sys.stderr)
            return 2
        print(f"[{bot.name}] serving and measuring ...", flush=True)
        serve_and_measure(bot, args.profile)
        print(f"[{bot.name}] " + json.dumps({k: round(v, 1) for k, v in bot.results.items()}), flush=True)

    scaled = None
    if args.servers > 1:
        from tests.services import fresh_database, postgres_server, redis_server

        with postgres_server() as server_url, fresh_database(server_url) as db_url, redis_server() as redis_url:
            scaled = scaled_bot(args.servers, db_url, redis_url)
            print(f"[{scaled.name}] serving and measuring ...", flush=True)
            serve_and_measure(scaled, False)
            print(f"[{scaled.name}] " + json.dumps({k: round(v, 1) for k, v in scaled.results.items()}), flush=True)

    ours, stock = bots[0], (bots[1] if len(bots) > 1 else None)
    info["load average"] += ", %.2f %.2f %.2f at the end (other work on the machine shows here)" % os.getloadavg()
    notes = [f"{bot.name}: {note}" for bot in bots for note in bot.notes]
    print()
    print(table(ours, stock))
    if scaled:
        print()
        print(scaled_table(ours, scaled))
    for note in notes:
        print(f"- {note}")
    if not args.no_write:
        write_doc(info, ours, stock, scaled, notes, sys.argv[1:] if argv is None else argv)
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    missed = [m for m in TARGETS if m in ours.results and verdict(m, ours.results[m]).startswith("MISSED")]
    if missed:
        print("targets missed: " + ", ".join(LABELS[m] for m in missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
