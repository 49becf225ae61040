"""Where a server's time goes: py-spy samples a running process, and the samples are summed by function.

py-spy (`pip install py-spy` into .venv; PY_SPY=path overrides) reads the stacks of the process from
outside (--nonblocking: the process is never paused), 100 or more times a second; threads waiting on
the event loop or a socket count as idle and are left out (py-spy's own idle detection, plus the
uvloop wait it cannot see: IDLE_LEAVES), so the samples are the busy time. A
summary lists each function's share of the samples with it on the stack (inclusive) and in it
(self); given the number of turns sampled, also the busy milliseconds per turn, which is what makes
two profiles comparable: `compare` puts the turns early in a conversation next to the turns late in
it and sorts the functions by how much they grew.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from measure.processes import BIN, OUT, ROOT, env

INSTALL = ".venv/bin/pip install py-spy"
# Sanic runs on uvloop, which waits for sockets in C code under this Python frame: py-spy cannot tell
# that wait from work, so samples whose innermost frame is it are the idle loop and are dropped.
IDLE_LEAVES = {"serve (sanic/server/runners.py)"}


def py_spy() -> Optional[str]:
    for candidate in (os.environ.get("PY_SPY"), str(BIN / "py-spy"), shutil.which("py-spy")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class Profiler:
    """py-spy recording one process, from construction until stop(), into results/bench/profile-NAME.raw."""

    def __init__(self, pid: int, name: str, rate: int = 100):
        spy = py_spy()
        if not spy:
            raise SystemExit(f"error: profiling needs py-spy: {INSTALL}")
        self.raw, self.rate, self.name = OUT / f"profile-{name}.raw", rate, name
        self.raw.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [spy, "record", "-p", str(pid), "-d", "3600", "-r", str(rate), "-f", "raw", "-o", str(self.raw),
             "--nonblocking"], env=env(), stdout=subprocess.DEVNULL, stderr=(OUT / f"profile-{name}.log").open("w"))

    def stop(self) -> Path:
        """Stop sampling (py-spy writes its file on Ctrl-C) and return the raw samples' path."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.raw

    def summary(self, title: str, turns: Optional[int] = None) -> Path:
        """Stop, write the summary to results/bench/profile-NAME.txt; its path relative to the project."""
        self.stop()
        path = OUT / f"profile-{self.name}.txt"
        path.write_text(summarise(self.raw, title, self.rate, turns), encoding="utf-8")
        return path.relative_to(ROOT)


def read(raw: Path) -> Tuple[int, Counter, Counter]:
    """Samples in all, and per function (file and name, line numbers dropped): inclusive and self."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    if not raw.exists():
        return 0, inclusive, own
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = line.rsplit(" ", 1)
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        if frames[-1] in IDLE_LEAVES:
            continue
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):  # a recursive function counts once per sample
            inclusive[frame] += int(count)
    return total, inclusive, own


def summarise(raw: Path, title: str, rate: int, turns: Optional[int] = None, top: int = 45) -> str:
    total, inclusive, own = read(raw)
    if not total:
        return f"{title}: no samples\n"
    per_turn = f", {total * 1000 / rate / turns:.1f} busy ms per turn over {turns} turns" if turns else ""
    lines = [f"{title}: {total} samples at {rate} Hz{per_turn}", "",
             "inclusive (share of samples with the function on the stack):"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "self (share of samples in the function itself):"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(20)]
    return "\n".join(lines) + "\n"


def ms_per_turn(raw: Path, rate: int, turns: int) -> Tuple[float, Dict[str, float], Dict[str, float]]:
    total, inclusive, own = read(raw)
    scale = 1000 / rate / max(turns, 1)
    return total * scale, {k: v * scale for k, v in inclusive.items()}, {k: v * scale for k, v in own.items()}


def compare(early: Tuple[Path, int], late: Tuple[Path, int], rate: int, title: str, top: int = 40) -> str:
    """Busy ms per turn by function, early turns next to late ones, the largest growth first.

    `early` and `late` are (raw samples, turns sampled). Inclusive: a function's growth includes its
    callees'; the "self" part below says where the added time is actually spent.
    """
    early_total, early_inc, early_own = ms_per_turn(early[0], rate, early[1])
    late_total, late_inc, late_own = ms_per_turn(late[0], rate, late[1])
    lines = [f"{title}", f"busy ms per turn: {early_total:.1f} early, {late_total:.1f} late", "",
             "inclusive ms per turn, early -> late (growth), largest growth first:"]

    def rows(a: Dict[str, float], b: Dict[str, float], count: int) -> List[str]:
        names = sorted(set(a) | set(b), key=lambda k: b.get(k, 0) - a.get(k, 0), reverse=True)[:count]
        return [f"{a.get(k, 0):7.1f} -> {b.get(k, 0):7.1f} ({b.get(k, 0) - a.get(k, 0):+7.1f})  {k}" for k in names]

    lines += rows(early_inc, late_inc, top)
    lines += ["", "self ms per turn, early -> late (growth), largest growth first:"]
    lines += rows(early_own, late_own, 25)
    return "\n".join(lines) + "\n"
