"""NLU-only scores: intent accuracy on the held-out set, 5-fold cross-validation, and Rasa's default
pipeline trained on the same data. `make eval` (measure/evaluate.py) adds them to its page when asked
(`--nlu`); the figures that count are the blind sets' replies, judged end to end.

The held-out set (tests/nlu_holdout.yml) is never trained on; tests/test_evaluation_sets.py checks
that none of its questions is in the training data.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "eval"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
RASA = str(Path(sys.executable).parent / "rasa")

# Intents whose answer states a guide fact; an out-of-domain message must never land on one.
NOT_A_FACT = {"greet", "goodbye", "thanks", "bot_challenge", "ask_capabilities", "out_of_scope",
              "ask_not_covered", "nlu_fallback"}
OUT_OF_DOMAIN = {"out_of_scope", "ask_not_covered"}
AMBIGUITY = 0.1  # config.yml's FallbackClassifier ambiguity_threshold, kept fixed in the sweep
DEFAULT_CONFIG = "recipe: default.v1\nassistant_id: default-pipeline\nlanguage: en\n"


def holdout_examples() -> List[Tuple[str, str]]:
    data = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))
    examples = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line[2:])
                examples.append((text, block["intent"]))
    return examples


def train(name: str, config: Path) -> Tuple[Path, float]:
    out = OUT / name
    # A cache of its own, so the time measured is a training from scratch.
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(OUT / f"cache-{name}-{time.time_ns()}"))
    started = time.monotonic()
    subprocess.run([RASA, "train", "nlu", "-c", str(config), "--nlu", "data", "--out", str(out),
                    "--fixed-model-name", name], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return out / f"{name}.tar.gz", time.monotonic() - started


def score(model: Path, examples: List[Tuple[str, str]]) -> Dict[str, object]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # one debug line per parsed message otherwise
    agent = Agent.load(str(model))
    parsed = [asyncio.run(agent.parse_message(text)) for text, _ in examples]
    predicted = [p["intent"]["name"] for p in parsed]
    # The ranking before FallbackClassifier stepped in, to sweep its thresholds afterwards.
    raw = [[r for r in p.get("intent_ranking", []) if r["name"] != "nlu_fallback"] for p in parsed]
    correct = sum(p == gold for p, (_, gold) in zip(predicted, examples))
    fallback = sum(p == "nlu_fallback" for p in predicted)
    ood_as_fact = [(text, p) for p, (text, gold) in zip(predicted, examples)
                   if gold in OUT_OF_DOMAIN and p not in NOT_A_FACT]
    confusions = Counter((gold, p) for p, (_, gold) in zip(predicted, examples) if p != gold)
    return {"accuracy": correct / len(examples), "n": len(examples), "fallback": fallback,
            "ood_as_fact": ood_as_fact, "confusions": confusions.most_common(8),
            "sweep": sweep(raw, [gold for _, gold in examples])}


def sweep(raw: List[List[dict]], gold: List[str]) -> List[Tuple[float, float, int, int]]:
    """For each fallback threshold: accuracy, wrong answers given, right answers withheld, and
    out-of-domain questions answered as a guide fact."""
    rows = []
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        right = wrong = withheld = ood = 0
        for ranking, expected in zip(raw, gold):
            top = ranking[0] if ranking else {"name": None, "confidence": 0.0}
            gap = top["confidence"] - (ranking[1]["confidence"] if len(ranking) > 1 else 0.0)
            answered = top["confidence"] >= threshold and gap >= AMBIGUITY
            if answered and top["name"] == expected:
                right += 1
            elif answered:
                wrong += 1
                ood += expected in OUT_OF_DOMAIN and top["name"] not in NOT_A_FACT
            elif top["name"] == expected:
                withheld += 1
        rows.append((threshold, right / len(gold), wrong, withheld, ood))
    return rows


def cross_validate(config: Path) -> float:
    out = OUT / "cv"
    subprocess.run([RASA, "test", "nlu", "--nlu", "data", "-c", str(config), "--cross-validation",
                    "--folds", "5", "--out", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    return report["accuracy"]


def render(rows: List[Dict[str, object]], cv: float | None) -> str:
    lines = [
        f"Run of `make eval` on {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "| pipeline | held-out intent accuracy | fell back | out-of-domain answered as a fact | training time |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['name']} | {row['accuracy']:.1%} ({row['n']} questions) | {row['fallback']} | "
                     f"{len(row['ood_as_fact'])} | {row['train_seconds']:.0f} s |")
    if cv is not None:
        lines += ["", f"5-fold cross-validation of our pipeline on the training data: {cv:.1%} intent accuracy."]
    ours = rows[0]
    lines += ["", f"Fallback threshold sweep for our pipeline (ambiguity threshold {AMBIGUITY}):", "",
              "| threshold | accuracy | wrong answers given | right answers withheld | out-of-domain answered as fact |",
              "|---|---|---|---|---|"]
    lines += [f"| {t} | {acc:.1%} | {wrong} | {withheld} | {ood} |" for t, acc, wrong, withheld, ood in ours["sweep"]]
    if ours["confusions"]:
        lines += ["", "Most frequent held-out errors of our pipeline (gold -> predicted, count):", ""]
        lines += [f"- {gold} -> {pred}: {count}" for (gold, pred), count in ours["confusions"]]
    if ours["ood_as_fact"]:
        lines += ["", "Out-of-domain questions answered as a fact:", ""]
        lines += [f"- \"{text}\" -> {pred}" for text, pred in ours["ood_as_fact"]]
    return "\n".join(lines)


def summary(cv: bool = False, default_pipeline: bool = False) -> str:
    """Markdown: held-out intent accuracy of config.yml (trained here from scratch), optionally
    Rasa's default pipeline beside it and 5-fold cross-validation. Raises CalledProcessError if a
    training fails."""
    logging.disable(logging.WARNING)
    OUT.mkdir(parents=True, exist_ok=True)
    examples = holdout_examples()
    configs = [("ours (config.yml)", ROOT / "config.yml")]
    if default_pipeline:
        default = OUT / "default-config.yml"
        default.write_text(DEFAULT_CONFIG)
        configs.append(("Rasa default pipeline", default))
    rows = []
    for name, config in configs:
        model, seconds = train(re.sub(r"\W+", "-", name).strip("-"), config)
        row = score(model, examples)
        row.update(name=name, train_seconds=seconds)
        rows.append(row)
    return render(rows, cross_validate(ROOT / "config.yml") if cv else None)
