"""`make eval`: the blind evaluation sets through the real servers, judged by the replies people see.

    .venv/bin/python -m measure.evaluate [--nlu] [--cv] [--no-write] [--show N]

Starts the action server and the Rasa server (the trained model, HTTP API on for NLU's parse), then
sends over REST, each from a new conversation: every question of in_domain.yml, every conversation of
conversations.yml turn by turn, every message of off_topic.yml, in each folder of blind sets:
tests/blind (the first sets, whose failures were read while building), tests/blind/fresh (written
later, read once), tests/blind/final and tests/blind/sealed (never read: the honest figures). `--sets`
runs only the folders given.
A reply is judged by measure/judge.py against measure/answer_key.yml: the item's facts present, or
for the guide's gaps "not covered", or for off-topic messages declined with no guide fact and no
role finder. NLU's intent is asked for only to name the confused intent pairs behind wrong replies.

The sets were written by helpers who never saw data/, tests/ or the knowledge file
(docs/evaluation.md says who wrote what); they are never trained on. `--nlu` adds the held-out
intent accuracy (tests/nlu_holdout.yml), `--cv` 5-fold cross-validation (about 30 minutes on 2 cores).
Prints the figures and rewrites the generated part of docs/evaluation.md.
"""
from __future__ import annotations

import argparse
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

import requests
import yaml

from measure.judge import Judge
from tests.servers import MODEL, start_actions, start_rasa

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "blind"
DOC = ROOT / "docs" / "evaluation.md"
MARK_START, MARK_END = "<!-- eval:start (written by measure/evaluate.py) -->", "<!-- eval:end -->"
TOKEN = "eval-" + uuid.uuid4().hex
WORKERS = 4  # conversations in flight: the action server's time overlaps NLU's


@dataclass
class Outcome:
    text: str
    reply: str
    expected: Sequence[str]  # guide items; empty for an off-topic message
    right: bool
    missing: List[str] = field(default_factory=list)
    intent: str = ""


class Bot:
    """The real servers, started here, talked to over REST and (for intents) the HTTP API."""

    def __init__(self, model: Path = MODEL):
        self.actions = start_actions(name="eval-actions")
        port = int(self.actions.health.rsplit(":", 1)[1].split("/")[0])
        self.rasa = start_rasa(port, name="eval-rasa", extra=["--enable-api", "--auth-token", TOKEN], model=model)
        self.session = requests.Session()

    def say(self, sender: str, text: str) -> str:
        response = self.session.post(f"{self.rasa.url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": text}, timeout=120)
        response.raise_for_status()
        return "\n".join(m.get("text", "") for m in response.json())

    def intent(self, text: str) -> str:
        response = self.session.post(f"{self.rasa.url}/model/parse", params={"token": TOKEN},
                                     json={"text": text}, timeout=60)
        response.raise_for_status()
        return (response.json().get("intent") or {}).get("name") or ""

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()


def load(name: str, folder: Path = BLIND) -> dict:
    path = folder / name
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def run_questions(bot: Bot, judge: Judge, questions: List[dict]) -> List[Outcome]:
    def one(question: dict) -> Outcome:
        reply = bot.say(f"eval-q-{uuid.uuid4().hex[:12]}", question["text"])
        missing = judge.missing(reply, question["expect"])
        return Outcome(question["text"], reply, question["expect"], not missing, missing)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, questions))


def run_conversations(bot: Bot, judge: Judge, conversations: List[dict]) -> List[List[Outcome]]:
    def one(conversation: dict) -> List[Outcome]:
        sender = f"eval-c-{conversation['id']}-{uuid.uuid4().hex[:8]}"
        outcomes = []
        for turn in conversation["turns"]:
            reply = bot.say(sender, turn["user"])
            missing = judge.missing(reply, turn["expect"])
            outcomes.append(Outcome(turn["user"], reply, turn["expect"], not missing, missing))
        return outcomes

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, conversations))


def run_off_topic(bot: Bot, judge: Judge, messages: List[dict]) -> List[Outcome]:
    def one(message: dict) -> Outcome:
        reply = bot.say(f"eval-o-{uuid.uuid4().hex[:12]}", message["text"])
        return Outcome(message["text"], reply, [], judge.declines(reply))

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, messages))


def share(outcomes: Sequence[Outcome]) -> str:
    right = sum(o.right for o in outcomes)
    return f"{right / len(outcomes):.1%} ({right}/{len(outcomes)})" if outcomes else "n/a"


def confused_pairs(bot: Bot, judge: Judge, wrong: Sequence[Outcome], top: int = 10) -> List[str]:
    """The most frequent (expected intent -> NLU's intent) pairs behind wrong replies."""
    pairs: Counter = Counter()
    for outcome in wrong:
        outcome.intent = bot.intent(outcome.text)
        expected = {i for item in outcome.expected for i in judge.items[item].intents} or {"out_of_scope"}
        if outcome.intent not in expected:
            pairs[(" / ".join(sorted(expected)), outcome.intent)] += 1
    return [f"{want} -> {got}: {count}" for (want, got), count in pairs.most_common(top)]


@dataclass
class SetResult:
    """The judged replies to one folder of blind sets."""
    name: str
    answerable: List[Outcome]
    gaps: List[Outcome]
    conversations: List[List[Outcome]]
    off_topic: List[Outcome]

    def rows(self) -> List[str]:
        first = [c[0] for c in self.conversations]
        follow = [o for c in self.conversations for o in c[1:]]
        return [share(self.answerable), share(self.gaps), share(first), share(follow), share(self.off_topic)]


ROW_NAMES = ["in-domain questions (facts present)", "questions the guide can't answer (said so)",
             "conversations: first turns", "conversations: follow-up turns", "off-topic messages declined"]


def report(results: List[SetResult], judge: Judge, pairs: List[str], extra: List[str]) -> str:
    off_topic = [o for r in results for o in r.off_topic]
    facts = sum(judge.states_a_fact(o.reply) for o in off_topic)
    finder = sum(judge.starts_role_finder(o.reply) for o in off_topic)
    columns = [r.rows() for r in results]
    lines = [
        f"Run of `make eval` on {time.strftime('%Y-%m-%d %H:%M')} UTC.",
        "",
        "| replies judged right | " + " | ".join(r.name for r in results) + " |",
        "|---|" + "---|" * len(results),
        *[f"| {name} | " + " | ".join(c[i] for c in columns) + " |" for i, name in enumerate(ROW_NAMES)],
        "",
        f"Off-topic messages answered with a guide fact: {facts}; that started the role finder: {finder}.",
    ]
    if pairs:
        lines += ["", "Intent pairs behind the wrong replies, all sets (expected -> NLU's intent: count):", ""]
        lines += [f"- {pair}" for pair in pairs]
    return "\n".join(lines + extra)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(MARK_START) + len(MARK_START), text.index(MARK_END)
    DOC.write_text(text[:start] + "\n" + section + "\n" + text[end:], encoding="utf-8")


def show_failures(title: str, outcomes: Sequence[Outcome], limit: int) -> None:
    wrong = [o for o in outcomes if not o.right]
    if limit and wrong:
        print(f"\n{title}: {len(wrong)} wrong, first {min(limit, len(wrong))}:")
        for o in wrong[:limit]:
            print(f"- {o.text!r} {list(o.expected)} missing {o.missing}\n    {o.reply[:160]!r}")


# The blind sets' folders, in the order they were written (docs/evaluation.md says by whom).
SET_FOLDERS = {"first (read while building)": BLIND, "fresh (read once)": BLIND / "fresh",
               "final (never read)": BLIND / "final", "sealed (never read)": BLIND / "sealed"}


def run_set(bot: Bot, judge: Judge, name: str, folder: Path) -> SetResult:
    questions = load("in_domain.yml", folder).get("questions", [])
    conversations = load("conversations.yml", folder).get("conversations", [])
    judge.check_labels({i for q in questions for i in q["expect"]}
                       | {i for c in conversations for t in c["turns"] for i in t["expect"]})
    asked = run_questions(bot, judge, questions)
    return SetResult(name, [o for o in asked if "not_covered" not in o.expected],
                     [o for o in asked if "not_covered" in o.expected], run_conversations(bot, judge, conversations),
                     run_off_topic(bot, judge, load("off_topic.yml", folder).get("messages", [])))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nlu", action="store_true", help="also the held-out NLU intent accuracy")
    parser.add_argument("--cv", action="store_true", help="also 5-fold cross-validation (slow)")
    parser.add_argument("--no-write", action="store_true", help="don't rewrite docs/evaluation.md")
    parser.add_argument("--show", type=int, default=0, help="print up to N wrong replies of each set")
    parser.add_argument("--model", type=Path, default=MODEL, help="the model to evaluate (default: make's)")
    parser.add_argument("--sets", type=Path, nargs="+", help="only these folders of blind sets (e.g. tests/blind/fresh)")
    args = parser.parse_args(argv)
    judge = Judge()
    folders = {folder.name: folder for folder in args.sets} if args.sets else SET_FOLDERS
    bot = Bot(args.model)
    try:
        started = time.monotonic()
        results = [run_set(bot, judge, name, folder) for name, folder in folders.items()]
        judged = [o for r in results for o in r.answerable + r.gaps + r.off_topic] + \
                 [o for r in results for c in r.conversations for o in c]
        pairs = confused_pairs(bot, judge, [o for o in judged if not o.right])
        print(f"{len(judged)} messages in {time.monotonic() - started:.0f} s")
    finally:
        bot.stop()
    extra: List[str] = []
    if args.nlu or args.cv:
        from measure import nlu_scores
        extra = ["", nlu_scores.summary(cv=args.cv)]
    section = report(results, judge, pairs, extra)
    print("\n" + section)
    for result in results:
        show_failures(f"{result.name}: in-domain", result.answerable + result.gaps, args.show)
        show_failures(f"{result.name}: follow-up turns", [o for c in result.conversations for o in c[1:]], args.show)
        show_failures(f"{result.name}: off-topic", result.off_topic, args.show)
    if not args.no_write and not args.sets:
        write_doc(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
