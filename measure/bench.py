"""Benchmark the bot as `make run` serves it next to a stock `rasa init` bot, like for like.

    .venv/bin/python -m measure.bench [--quick] [--repeats 3] [--stores sqlite,memory] [--growth-turns 300]
                                      [--skip-training] [--profile] [--no-stock] [--no-write] [--servers N]

What, for each bot (`make bench` runs it with the defaults):
- training from scratch (empty Rasa cache; models go to results/bench/, never to models/);
- start until the first answer over REST: `make run` as a person sees it (scripts/serve.sh, a first
  message once it says it is up; for the stock bot, which has no make run, the same two steps:
  action server, then Rasa server), and the Rasa server alone (its action server already up);
- turn latency p50/p95/p99 one turn at a time and with 20 conversations at once, turns per second,
  CPU per turn of the Rasa server and of the action server, resident memory (measure.turns);
- how a turn's cost grows over one conversation of 300 turns (measure.growth);
- how fast the operator page loads on a store of 10,000 conversations (measure.operator_page).

How: both bots on the same store, a fresh SQLite file per run (how `make run` keeps conversations)
and also both in memory (how `rasa init` does); rounds repeated and interleaved ABBA (measure.plan);
medians with min–max (measure.page, which also rewrites the generated part of docs/benchmarks.md
with the machine it ran on). --profile adds py-spy profiles (measure.profiling) of the Rasa server
one turn at a time and of both servers early and late in the long conversation.

A full run takes about 25 minutes on 2 cores (30 with --profile), a third of it training; --quick
(2 rounds, short scripts, a 40-turn conversation, training in the first round only) about 10, to
check that everything works.
Loopback only; every phase is bounded in turns and time; every process started here is stopped here.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Dict, List, Optional

from measure import growth as growth_module
from measure import operator_page, page, plan
from measure.bots import Bot, Store, Variant, our_bot, stock_bot, train
from measure.processes import OUT, ROOT, machine
from measure.turns import FULL, QUICK


def options(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m measure.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="check that it works: 2 rounds, short scripts, a 40-turn conversation")
    parser.add_argument("--repeats", type=int, help="rounds of runs (default 3, --quick 2; 0: growth only)")
    parser.add_argument("--stores", default="sqlite,memory", help="stores to compare on: sqlite, memory or both")
    parser.add_argument("--growth-turns", type=int, help="turns of the long conversation (default 300; 0: skip)")
    parser.add_argument("--skip-training", action="store_true", help="don't time training (reuse the stock model)")
    parser.add_argument("--profile", action="store_true", help="py-spy profiles (results/bench/profile-*.txt)")
    parser.add_argument("--no-stock", action="store_true", help="measure our bot only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--no-operator-page", action="store_true", help="skip the operator page's load time")
    parser.add_argument("--servers", type=int, default=1,
                        help="also ours on this many Rasa servers sharing PostgreSQL + Redis")
    args = parser.parse_args(argv)
    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not args.stores or set(args.stores) - {"sqlite", "memory"}:
        parser.error("--stores takes sqlite, memory or sqlite,memory")
    args.repeats = (2 if args.quick else 3) if args.repeats is None else args.repeats
    args.growth_turns = (40 if args.quick else 300) if args.growth_turns is None else args.growth_turns
    if 0 < args.growth_turns < 10:
        parser.error("--growth-turns takes 0 (no growth measurement) or at least 10 (one window)")
    return args


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def growth_runs(ours: Bot, stock: Optional[Bot], stores: List[str], turns: int, profile: bool,
                notes: List[str]) -> page.Growth:
    """The long conversation for each bot on each store (ABBA again), then, with --profile, profiled ones."""
    results: page.Growth = {}
    bots = [ours] + ([stock] if stock else [])
    passes = [False] + ([True] if profile else [])
    for profiled in passes:
        for index, kind in enumerate(stores):
            for bot in plan.in_order(bots, index):
                label = f"{bot.name}-{kind}" + ("-profiled" if profiled else "")
                log(f"[{label}] one conversation of {turns} turns ...")
                windows, run_notes = growth_module.conversation(Variant(bot, Store(kind)), label, turns,
                                                                profile=profiled)
                notes += run_notes
                if not profiled:
                    results[f"{bot.name}-{kind}"] = windows
                for window, values in windows.items():
                    log(f"[{label}] turns {window}: " + ", ".join(f"{k} {v:.1f}" for k, v in values.items()))
    return results


def main(argv: Optional[List[str]] = None) -> int:
    args = options(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    log("Machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()))
    ours = our_bot()
    stock = None if args.no_stock else stock_bot()
    if stock and not stock.model.exists() and (args.skip_training or args.repeats == 0):
        log("[stock] no model yet: training it once (not timed)")
        train(stock)
    sizes = QUICK if args.quick else FULL

    with plan.postgres_and_redis(args.servers) as scaled:
        variants = plan.variants(ours, stock, args.stores, scaled)
        training = not args.skip_training
        samples = plan.run(ours, stock, variants, args.repeats, sizes, training, args.profile, log,
                           training_rounds=1 if args.quick else args.repeats)
    growth: Dict = {}
    if args.growth_turns > 0:
        growth = growth_runs(ours, stock, args.stores, args.growth_turns, args.profile, samples.notes)
    (OUT / "samples.json").write_text(samples.to_json(), encoding="utf-8")
    operator = None if args.no_operator_page else operator_page.row(operator_page.measure())

    info["load average"] += ", %.2f %.2f %.2f at the end (other work on the machine shows here)" % os.getloadavg()
    given = sys.argv[1:] if argv is None else argv
    command = "make bench" if not given else " ".join([".venv/bin/python -m measure.bench", *given])
    scaled_label = (variants[-1].label, args.servers) if args.servers > 1 else None
    generated = page.block(info, command, samples, args.stores, stock is not None, sizes.concurrent[0],
                           args.repeats, growth, args.growth_turns, scaled_label, operator)
    print()
    print(generated)
    if not args.no_write:
        page.write(generated)
        log(f"wrote {page.DOC.relative_to(ROOT)}")
    missed = [m for m in page.TARGETS if page.verdict(m, samples.spread("ours-sqlite", m)).startswith("MISSED")]
    if missed:
        print("targets missed: " + ", ".join(page.LABELS[m] for m in missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
