"""The evaluation sets stay honest: none of their questions is in the training data, and every label
they use is one the judge knows (measure/answer_key.yml).

Questions are compared after lower-casing, removing entity markup ([CSE](role) -> CSE) and
punctuation, and squeezing spaces, so a copy with other capitals or a question mark still counts.
"""
import re
from pathlib import Path

import yaml

from measure.judge import Judge

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "blind"


def normalise(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def nlu_examples(path: Path):
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                yield line.strip()[2:]


def training_texts():
    return {normalise(t) for path in sorted((ROOT / "data").glob("*.yml")) for t in nlu_examples(path)}


def evaluation_texts():
    """(set name, question) for every question of the blind sets (the first ones and the fresh ones
    written later, tests/blind/fresh and tests/blind/final) and the held-out set."""
    load = lambda name: yaml.safe_load((BLIND / name).read_text(encoding="utf-8"))  # noqa: E731
    for folder in ("", "fresh/", "final/", "sealed/"):
        for question in load(folder + "in_domain.yml")["questions"]:
            yield folder + "in_domain", question["text"]
        for conversation in load(folder + "conversations.yml")["conversations"]:
            for turn in conversation["turns"]:
                yield folder + "conversations", turn["user"]
    for folder in ("", "sealed/"):
        for message in load(folder + "off_topic.yml")["messages"]:
            yield folder + "off_topic", message["text"]
    for text in nlu_examples(ROOT / "tests" / "nlu_holdout.yml"):
        yield "nlu_holdout", text


def test_no_evaluation_question_is_in_the_training_data():
    trained = training_texts()
    leaked = [(name, text) for name, text in evaluation_texts() if normalise(text) in trained]
    assert not leaked, f"{len(leaked)} evaluation questions are in data/: {leaked[:10]}"


def test_the_blind_sets_are_the_size_the_measurement_needs():
    counts = {}
    for name, _ in evaluation_texts():
        counts[name] = counts.get(name, 0) + 1
    questions = yaml.safe_load((BLIND / "in_domain.yml").read_text())["questions"]
    not_covered = sum("not_covered" in q["expect"] for q in questions)
    conversations = yaml.safe_load((BLIND / "conversations.yml").read_text())["conversations"]
    domains = {m["domain"] for m in yaml.safe_load((BLIND / "off_topic.yml").read_text())["messages"]}
    assert len(questions) - not_covered >= 400 and not_covered >= 20
    assert len(conversations) >= 40 and all(3 <= len(c["turns"]) <= 5 for c in conversations)
    assert counts["off_topic"] >= 1000 and len(domains) >= 40


def test_every_label_of_the_blind_sets_is_known_to_the_judge():
    for folder in (BLIND, BLIND / "fresh", BLIND / "final", BLIND / "sealed"):
        questions = yaml.safe_load((folder / "in_domain.yml").read_text())["questions"]
        conversations = yaml.safe_load((folder / "conversations.yml").read_text())["conversations"]
        Judge().check_labels({i for q in questions for i in q["expect"]}
                             | {i for c in conversations for t in c["turns"] for i in t["expect"]})


def test_the_judge_needs_the_facts_not_just_the_name():
    judge = Judge()
    listed = ("The guide names four jobs to start with:\n1. Customer Service Executive; 2. Technical Support "
              "Associate; 3. Data Entry Operator; 4. Process Associate.")
    assert judge.answers(listed, ["entry_roles"])
    assert not judge.answers(listed, ["data_entry_operator"])  # named in a list is not described
    assert judge.declines("Sorry, I can only help with careers in BPO. Try one of these:")
    assert not judge.declines("Sorry, I can only help... The guide doesn't cover pay.\nFrom the guide: FAQs")
