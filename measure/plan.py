"""The run plan: every run of the benchmark, interleaved and repeated, and their medians with min–max.

One round is: training each bot from scratch (unless --skip-training), `make run`'s start-up for
ours (scripts/serve.sh), then one run (measure.turns) of every variant (bot x store). Rounds are
repeated (3 by default) and alternate their order, ours-stock-ours-stock in one round and the
reverse in the next (ABBA), so that a slow spell of the shared machine, or a drift over the run,
falls on both sides alike instead of on whichever went second. Every run starts its servers afresh
on a fresh store. Reported per metric: the median over the rounds, with the lowest and highest;
ratios are between medians.
"""
from __future__ import annotations

import json
import statistics
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from measure.bots import Bot, Store, Variant, make_run_start, train
from measure.turns import Sizes, measure

Log = Callable[[str], None]


@dataclass
class Samples:
    """Every value measured, by variant label and metric, one per round; and the runs' notes."""
    values: Dict[str, Dict[str, List[float]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    notes: List[str] = field(default_factory=list)

    def add(self, label: str, metrics: Dict[str, float]) -> None:
        for metric, value in metrics.items():
            self.values[label][metric].append(value)

    def spread(self, label: str, metric: str) -> Optional[Tuple[float, float, float]]:
        """(median, lowest, highest), or None if the metric was not measured for this variant."""
        values = self.values.get(label, {}).get(metric)
        if not values:
            return None
        return statistics.median(values), min(values), max(values)

    def to_json(self) -> str:
        return json.dumps({"values": self.values, "notes": self.notes}, indent=1)


def in_order(items: List, round_index: int) -> List:
    """The items in this round's order: as given in even rounds, reversed in odd ones (ABBA)."""
    return list(items) if round_index % 2 == 0 else list(reversed(items))


def variants(ours: Bot, stock: Optional[Bot], stores: List[str],
             scaled: Optional[Tuple[int, str, str]]) -> List[Variant]:
    """Ours and stock side by side on each store; `scaled`: (servers, PostgreSQL server URL, Redis URL)."""
    chosen = []
    for kind in stores:
        chosen += [Variant(ours, Store(kind))] + ([Variant(stock, Store(kind))] if stock else [])
    if scaled:
        servers, server_url, redis_url = scaled
        chosen.append(Variant(ours, Store("postgres", server_url, redis_url), servers))
    return chosen


def one_run(variant: Variant, label: str, sizes: Sizes, profile: bool) -> Tuple[Dict[str, float], List[str]]:
    if variant.store.kind != "postgres":
        return measure(variant, label, sizes, profile)
    from tests.services import fresh_database

    # A fresh database per run, like a fresh SQLite file: `store.db_url` is the server's URL.
    with fresh_database(variant.store.db_url) as db_url:
        store = Store("postgres", db_url, variant.store.redis_url)
        return measure(Variant(variant.bot, store, variant.servers, variant.label), label, sizes, profile)


def run(ours: Bot, stock: Optional[Bot], plan: List[Variant], repeats: int, sizes: Sizes, training: bool,
        profile: bool, log: Log = print, training_rounds: Optional[int] = None) -> Samples:
    samples = Samples()
    home = plan[0].store.kind  # the store the per-bot rows (training, `make run`) are shown with
    bots = [ours] + ([stock] if stock else [])
    for round_index in range(repeats):
        number = round_index + 1
        log(f"--- round {number} of {repeats}: " + ", ".join(v.label for v in in_order(plan, round_index)))
        if training and round_index < (repeats if training_rounds is None else training_rounds):
            for bot in in_order(bots, round_index):
                log(f"[{bot.name}] training from scratch ...")
                seconds = train(bot)
                samples.add(f"{bot.name}-{home}", {"training_s": seconds})
                log(f"[{bot.name}] trained in {seconds:.1f} s")
        if any(v.store.kind == "sqlite" and v.bot is ours for v in plan):
            seconds = make_run_start(f"ours-make-run-{number}")
            samples.add("ours-sqlite", {"first_answer_make_run_s": seconds})
            log(f"[ours] `make run` (scripts/serve.sh) until the first answer: {seconds:.1f} s")
        for variant in in_order(plan, round_index):
            label = f"{variant.label}-{number}"
            log(f"[{label}] serving and measuring ...")
            # Profiled once, in the first round, where the profiler's own load is the same for both sides.
            metrics, notes = one_run(variant, label, sizes, profile and round_index == 0)
            if variant.bot is ours or variant.store.kind != "sqlite":
                # Ours: serve.sh's own, measured above; `make run` keeps conversations in SQLite.
                metrics.pop("first_answer_make_run_s")
            samples.add(variant.label, metrics)
            samples.notes += notes
            log(f"[{label}] " + json.dumps({k: round(v, 1) for k, v in metrics.items()}))
            for note in notes:
                log(f"[{label}] {note}")
    return samples


def postgres_and_redis(servers: int):
    """Throw-away PostgreSQL and Redis servers for --servers (as in the tests), or nothing."""
    if servers <= 1:
        return nullcontext(None)
    from contextlib import contextmanager

    from tests.services import postgres_server, redis_server

    @contextmanager
    def both():
        with postgres_server() as server_url, redis_server() as redis_url:
            yield servers, server_url, redis_url

    return both()
