"""How a turn's cost grows with the length of the conversation.

For each bot on the same store: fresh servers, a short warm-up in another conversation, then ONE
conversation of `turns` turns (300 by default), one turn at a time, cycling through the bot's own
scripted questions (ours: role questions and their follow-ups, each reply checked). Reported for
windows of 10 turns, 1–10, 41–50, 91–100, 191–200 and 291–300: the median turn latency, and the
CPU milliseconds per turn of the Rasa server and of the action server (from /proc, before and after
the window). A turn that costs more the longer the conversation is reads, writes or sends
something that grows with it. Every turn's latency goes to results/bench/growth-LABEL.csv.

With `profile`, a second conversation of the same length is sampled by py-spy in its first and last
20 turns (10 early turns give too few samples) on both servers, and measure.profiling.compare writes
which functions grew, in busy ms per turn, to results/bench/profile-growth-LABEL-{rasa,actions}.txt.
Its latencies are not reported (the profiler takes CPU from the servers on 2 cores).
"""
from __future__ import annotations

import statistics
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa

from measure import loadtest
from measure.bots import Variant, start
from measure.processes import OUT, ROOT, cpu_seconds
from measure.profiling import Profiler, compare

ENDS = (10, 50, 100, 200, 300)
PROFILE_RATE = 250  # Hz: early turns are short; 100 Hz would leave a few dozen samples per window


def windows(turns: int, width: int = 10) -> List[Tuple[int, int]]:
    """(first, last) turn numbers, 1-based and inclusive, of the windows measured in a conversation."""
    ends = [end for end in ENDS if end <= turns] + ([turns] if turns not in ENDS else [])
    plan: List[Tuple[int, int]] = []
    for end in ends:  # a short conversation's windows must not overlap: no turn is said twice
        plan.append((max(plan[-1][1] + 1 if plan else 1, end - width + 1), end))
    return plan


def window_name(window: Tuple[int, int]) -> str:
    return f"{window[0]}–{window[1]}"


def stored_events(store_file, sender: str) -> Optional[int]:
    if store_file is None:
        return None
    engine = sa.create_engine(f"sqlite:///{store_file}")
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")
            return connection.execute(query, {"s": sender}).scalar()
    finally:
        engine.dispose()


def conversation(variant: Variant, label: str, turns: int,
                 profile: bool = False) -> Tuple[Dict[str, Dict[str, float]], List[str]]:
    """Per window: p50_ms, rasa_cpu_ms, actions_cpu_ms (per turn); and notes."""
    bot, name = variant.bot, f"growth-{label}"
    plan = windows(turns)
    if profile:  # the first and last 20 turns: early turns are short, 10 of them give few samples
        early = min(20, turns // 2)
        plan = [(1, early), (max(early + 1, turns - 19), turns)]
    servers = start(bot, variant.store, name)
    notes: List[str] = []
    results: Dict[str, Dict[str, float]] = {}
    latencies: List[float] = []
    profiles: Dict[str, List[Tuple]] = {"rasa": [], "actions": []}
    try:
        url, rasa, actions = servers.urls[0], servers.rasa[0].pid, servers.actions.pid
        loadtest.run_blocking(url, {f"{name}-warm": bot.scripts(1, 4)[0]})
        script, sender = bot.scripts(1, turns)[0], f"{name}-long"
        done = 0
        for first, last in plan:
            if first - 1 > done:  # the turns between windows: said, not measured
                latencies += talk(url, sender, script[done:first - 1], label, notes)
            spies = {}
            if profile:
                spies = {server: Profiler(pid, f"{name}-{server}-{first}", PROFILE_RATE)
                         for server, pid in (("rasa", rasa), ("actions", actions))}
            cpu_before = cpu_seconds(rasa), cpu_seconds(actions)
            measured = talk(url, sender, script[first - 1:last], label, notes)
            cpu_after = cpu_seconds(rasa), cpu_seconds(actions)
            for server, spy in spies.items():
                profiles[server].append((spy.stop(), last - first + 1))
            latencies += measured
            count = max(len(measured), 1)
            results[window_name((first, last))] = {
                "p50_ms": statistics.median(measured) * 1000 if measured else float("nan"),
                "rasa_cpu_ms": (cpu_after[0] - cpu_before[0]) * 1000 / count,
                "actions_cpu_ms": (cpu_after[1] - cpu_before[1]) * 1000 / count,
            }
            done = last
        events = stored_events(servers.store_file, sender)
        if events is not None:
            notes.append(f"{label}: {events} events stored for the {turns}-turn conversation")
    finally:
        servers.stop()
    if profile:
        for server, (early, late) in profiles.items():
            path = OUT / f"profile-{name}-{server}.txt"
            title = (f"{label}, {'Rasa server' if server == 'rasa' else 'action server'}: turns "
                     f"{window_name(plan[0])} against {window_name(plan[-1])} of one conversation")
            path.write_text(compare(early, late, PROFILE_RATE, title), encoding="utf-8")
            notes.append(f"profile: {path.relative_to(ROOT)}")
    else:
        (OUT / f"{name}.csv").write_text(
            "turn,latency_ms\n" + "".join(f"{i + 1},{s * 1000:.1f}\n" for i, s in enumerate(latencies)),
            encoding="utf-8")
    return results, notes


def talk(url: str, sender: str, script: List, label: str, notes: List[str]) -> List[float]:
    """Turns of one conversation, one at a time; their latencies in seconds."""
    result = loadtest.run_blocking(url, {sender: script})
    bad = result.failed + result.lost + result.wrong
    if bad:
        notes.append(f"{label}: {len(bad)} problem turns, e.g. {bad[0]}")
    return result.latencies
