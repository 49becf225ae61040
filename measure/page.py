"""The benchmark's tables, printed and written into docs/benchmarks.md between its markers.

Each cell is the median over the rounds with the lowest and highest value in brackets; a ratio is
ours' median over stock's median on the same store. Targets (for 2 cores) are checked against ours
as `make run` serves it (SQLite). Text outside the markers, such as the profiling notes, is kept.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

from measure.plan import Samples
from measure.processes import ROOT

DOC = ROOT / "docs" / "benchmarks.md"
START_PREFIX = "<!-- bench:start"
START, END = "<!-- bench:start (written by measure/bench.py) -->", "<!-- bench:end -->"
STORE_NAMES = {"sqlite": "SQLite", "memory": "in memory"}

TARGETS = {  # metric: (limit, "max" or "min"), for 2 cores
    "training_s": (120, "max"),
    "first_answer_make_run_s": (20, "max"),
    "seq_p50_ms": (40, "max"),
    "seq_p95_ms": (100, "max"),
    "conc_turns_per_s": (50, "min"),
    "rasa_rss_mb": (1200, "max"),
}
LABELS = {
    "training_s": "training from scratch (s)",
    "first_answer_make_run_s": "start until first answer, `make run` (s)",
    "first_answer_rasa_s": "start until first answer, Rasa server alone (s)",
    "seq_p50_ms": "one at a time: p50 (ms)",
    "seq_p95_ms": "one at a time: p95 (ms)",
    "seq_p99_ms": "one at a time: p99 (ms)",
    "seq_rasa_cpu_ms": "one at a time: Rasa server CPU per turn (ms)",
    "seq_actions_cpu_ms": "one at a time: action server CPU per turn (ms)",
    "conc_p50_ms": "20 at once: p50 (ms)",
    "conc_p95_ms": "20 at once: p95 (ms)",
    "conc_p99_ms": "20 at once: p99 (ms)",
    "conc_turns_per_s": "20 at once: turns/s",
    "conc_rasa_cpu_ms": "20 at once: Rasa server CPU per turn (ms)",
    "conc_actions_cpu_ms": "20 at once: action server CPU per turn (ms)",
    "rasa_rss_mb": "Rasa server RSS after the runs (MB)",
    "rasa_peak_mb": "Rasa server peak RSS (MB)",
    "actions_rss_mb": "action server RSS after the runs (MB)",
}


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.1f}"


def cell(spread: Optional[Tuple[float, float, float]]) -> str:
    if spread is None or math.isnan(spread[0]):
        return ""
    median, low, high = spread
    return number(median) if low == high else f"{number(median)} ({number(low)}–{number(high)})"


def ratio(a: Optional[Tuple[float, float, float]], b: Optional[Tuple[float, float, float]]) -> str:
    return f"{a[0] / b[0]:.2f}" if a and b and b[0] and not math.isnan(a[0] / b[0]) else ""


def verdict(metric: str, spread: Optional[Tuple[float, float, float]]) -> str:
    if metric not in TARGETS or spread is None or math.isnan(spread[0]):
        return ""
    limit, kind = TARGETS[metric]
    ok = spread[0] <= limit if kind == "max" else spread[0] >= limit
    return f"{'met' if ok else 'MISSED'} ({'<=' if kind == 'max' else '>='} {limit})"


def main_table(samples: Samples, stores: List[str], stock: bool, conc: int) -> str:
    head, rule = ["metric"], ["---"]
    for kind in stores:
        name = STORE_NAMES.get(kind, kind)
        head += [f"ours, {name}"] + ([f"stock, {name}", "ours / stock"] if stock else [])
        rule += ["---:"] * (3 if stock else 1)
    head.append("target (2 cores), ours on SQLite")
    rule.append("---")
    rows = ["| " + " | ".join(head) + " |", "|" + "|".join(rule) + "|"]
    for metric, label in LABELS.items():
        cells, any_value = [label.replace("20 at once", f"{conc} at once")], False
        for kind in stores:
            ours, other = samples.spread(f"ours-{kind}", metric), samples.spread(f"stock-{kind}", metric)
            any_value = any_value or bool(ours or other)
            cells += [cell(ours)] + ([cell(other), ratio(ours, other)] if stock else [])
        if any_value:
            cells.append(verdict(metric, samples.spread("ours-sqlite", metric)))
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def scaled_table(samples: Samples, label: str, servers: int) -> str:
    rows = [f"| metric | 1 server, SQLite | {servers} servers, PostgreSQL + Redis | target (2 cores) |",
            "|---|---:|---:|---|"]
    for metric, name in LABELS.items():
        one, many = samples.spread("ours-sqlite", metric), samples.spread(label, metric)
        if one and many:
            name = name.replace("Rasa server CPU", "Rasa servers' CPU")
            name = name.replace("Rasa server RSS", "each Rasa server RSS")
            rows.append(f"| {name} | {cell(one)} | {cell(many)} | {verdict(metric, many)} |")
    return "\n".join(rows)


Growth = Dict[str, Dict[str, Dict[str, float]]]  # variant label -> window -> metric -> value


def growth_table(growth: Growth, kind: str) -> str:
    ours, stock = growth.get(f"ours-{kind}", {}), growth.get(f"stock-{kind}", {})
    rows = ["| turns | ours p50 (ms) | stock p50 (ms) | ours / stock | ours Rasa CPU/turn (ms) | "
            "stock Rasa CPU/turn (ms) | ours action server CPU/turn (ms) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for window in (ours or stock):
        a, b = ours.get(window, {}), stock.get(window, {})

        def get(row: Dict[str, float], key: str) -> str:
            return number(row[key]) if key in row and not math.isnan(row[key]) else ""

        share = f"{a['p50_ms'] / b['p50_ms']:.2f}" if a.get("p50_ms") and b.get("p50_ms") else ""
        rows.append(f"| {window} | {get(a, 'p50_ms')} | {get(b, 'p50_ms')} | {share} | {get(a, 'rasa_cpu_ms')} | "
                    f"{get(b, 'rasa_cpu_ms')} | {get(a, 'actions_cpu_ms')} |")
    return "\n".join(rows)


def block(info: Dict[str, str], command: str, samples: Samples, stores: List[str], stock: bool, conc: int,
          repeats: int, growth: Growth, growth_turns: int, scaled: Optional[Tuple[str, int]],
          operator: Optional[str] = None) -> str:
    lines = [f"Run of {info['date']} (`{command}`), {repeats} rounds, on:", ""]
    if "--quick" in command:
        lines = ["**A `--quick` run: a check that the benchmark works, not numbers to compare.**", ""] + lines
    lines += [f"- {k}: {v}" for k, v in info.items() if k != "date"]
    if samples.values:
        lines += ["", "Medians over the rounds, lowest–highest in brackets; ratios between medians.", "",
                  main_table(samples, stores, stock, conc)]
    lines.append("")
    if scaled:
        lines += [f"Ours on {scaled[1]} Rasa servers sharing one PostgreSQL and one Redis on this machine, each "
                  "conversation's turns sent to the servers in turn (`--servers`):", "",
                  scaled_table(samples, *scaled), ""]
    for kind in stores:
        if any(label.endswith(f"-{kind}") for label in growth):
            lines += [f"One conversation of {growth_turns} turns, one turn at a time, {STORE_NAMES.get(kind, kind)}"
                      " (median of each window of 10 turns; CPU per turn over the window):", "",
                      growth_table(growth, kind), ""]
    if operator:
        lines += [operator, ""]
    lines += [f"- {note}" for note in samples.notes]
    return "\n".join(lines).rstrip() + "\n"


def write(generated: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n\n"
    section = f"{START}\n\n{generated}\n{END}"
    if START_PREFIX in text and END in text:
        text = text[:text.index(START_PREFIX)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
