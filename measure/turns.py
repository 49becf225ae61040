"""One run of one bot on one store: start it, time its turns, read its memory and CPU, stop it.

Over REST, loopback, with measure.loadtest's scripts (ours: role questions and follow-ups that
need the role in context, each reply checked against the exact expected text; stock: its own
example phrases):
- start: the Rasa server alone until its first answer (its action server already up), and the two
  servers launched one after the other as serve.sh does (the stock bot's "make run");
- a warm-up of a few turns (first calls fill caches; not measured);
- one turn at a time: `sequential` conversations one after another, each turn waiting for the last;
- `concurrent` conversations at once: latency percentiles and turns per second;
- CPU time of the Rasa server(s) and of the action server per turn in both phases, read from /proc
  before and after (steadier than wall time on a shared machine); resident memory after the runs.
Any failed, lost or wrong turn is reported as a note with the run's label.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from measure import loadtest
from measure.bots import Variant, start
from measure.processes import cpu_seconds, rss_mb
from measure.profiling import Profiler


@dataclass(frozen=True)
class Sizes:
    sequential: Tuple[int, int] = (5, 20)  # conversations x turns, one turn at a time
    concurrent: Tuple[int, int] = (20, 20)  # conversations at once x turns each
    warm: Tuple[int, int] = (2, 4)


FULL = Sizes()
QUICK = Sizes(sequential=(2, 8), concurrent=(10, 8), warm=(1, 4))


def problems(label: str, phase: str, result: loadtest.Result) -> List[str]:
    bad = result.failed + result.lost + result.wrong
    return [f"{label}, {phase}: {len(bad)} problem turns, e.g. {bad[0]}"] if bad else []


def measure(variant: Variant, label: str, sizes: Sizes, profile: bool = False) -> Tuple[Dict[str, float], List[str]]:
    """Metrics of one run (see LABELS in measure.page) and notes (problem turns, profile files)."""
    bot = variant.bot
    servers = start(variant.bot, variant.store, label, variant.servers)
    notes: List[str] = []
    try:
        url = servers.urls if len(servers.urls) > 1 else servers.urls[0]
        rasa_pids = [p.pid for p in servers.rasa]

        def cpu() -> Tuple[float, float]:
            return sum(cpu_seconds(pid) for pid in rasa_pids), cpu_seconds(servers.actions.pid)

        loadtest.run_blocking(url, loadtest.named(f"{label}-warm", bot.scripts(*sizes.warm)))

        # 250 Hz: a turn one at a time is some 20-40 ms, so 100 Hz would give few samples per turn.
        seq_profile: Optional[Profiler] = Profiler(rasa_pids[0], f"{label}-one-at-a-time", 250) if profile else None
        before = cpu()
        sequential = loadtest.Result()
        for index, script in enumerate(bot.scripts(*sizes.sequential)):
            one = loadtest.run_blocking(url, {f"{label}-seq-{index}": script})
            sequential.turns += one.turns
            sequential.latencies += one.latencies
            sequential.failed += one.failed
            sequential.lost += one.lost
            sequential.wrong += one.wrong
            sequential.elapsed += one.elapsed
        middle = cpu()
        if seq_profile:
            notes.append("profile: " + str(seq_profile.summary(f"{label}: Rasa server, one turn at a time",
                                                               sequential.turns)))

        concurrent = loadtest.run_blocking(url, loadtest.named(f"{label}-conc", bot.scripts(*sizes.concurrent)))
        after = cpu()
        notes += problems(label, "one at a time", sequential) + problems(label, "at once", concurrent)
        seq_turns, conc_turns = max(len(sequential.latencies), 1), max(len(concurrent.latencies), 1)
        return {
            "first_answer_rasa_s": servers.rasa_alone_s,
            "first_answer_make_run_s": servers.total_s,  # replaced by serve.sh's own for ours (measure.plan)
            "seq_p50_ms": sequential.percentile(50) * 1000, "seq_p95_ms": sequential.percentile(95) * 1000,
            "seq_p99_ms": sequential.percentile(99) * 1000,
            "seq_rasa_cpu_ms": (middle[0] - before[0]) * 1000 / seq_turns,
            "seq_actions_cpu_ms": (middle[1] - before[1]) * 1000 / seq_turns,
            "conc_p50_ms": concurrent.percentile(50) * 1000, "conc_p95_ms": concurrent.percentile(95) * 1000,
            "conc_p99_ms": concurrent.percentile(99) * 1000, "conc_turns_per_s": concurrent.throughput,
            "conc_rasa_cpu_ms": (after[0] - middle[0]) * 1000 / conc_turns,
            "conc_actions_cpu_ms": (after[1] - middle[1]) * 1000 / conc_turns,
            "rasa_rss_mb": max(rss_mb(pid) for pid in rasa_pids),
            "rasa_peak_mb": max(rss_mb(pid, "VmHWM") for pid in rasa_pids),
            "actions_rss_mb": rss_mb(servers.actions.pid),
        }, notes
    finally:
        servers.stop()
