"""The knowledge file: the real one validates and answers the queries; broken copies are refused."""
import copy
from pathlib import Path

import pytest
import yaml

from bot import knowledge
from bot.knowledge import KnowledgeError, load

REAL = yaml.safe_load(knowledge.DEFAULT_PATH.read_text(encoding="utf-8"))
GUIDE = (Path(__file__).parents[1] / ".." / "shared" / "source" / "bpo-career-guide.txt").resolve()


@pytest.fixture(scope="module")
def kb():
    return load()


def broken(tmp_path, change):
    data = copy.deepcopy(REAL)
    change(data)
    path = tmp_path / "knowledge.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load(path)
    assert str(path) in str(error.value)
    return str(error.value)


def test_guide_order_and_counts(kb):
    assert [r.id for r in kb.roles("entry")] == [
        "customer_service_executive", "technical_support_associate", "data_entry_operator", "process_associate"]
    assert [r.id for r in kb.roles("growth")] == [
        "team_leader", "quality_analyst", "operations_manager", "transition_manager", "client_relationship_manager"]
    assert len(kb.collection("skills")) == 6
    assert [c.id for c in kb.collection("certifications")] == ["six_sigma", "itil", "soft_skills_training", "ccsp"]
    assert len(kb.collection("industries")) == 7
    companies = [c.name for c in kb.collection("companies")]
    assert sorted(companies) == ["Accenture", "Concentrix", "Genpact", "IBM", "Infosys BPM", "TCS",
                                 "Teleperformance", "Wipro"]
    assert (companies[0], companies[-1]) == ("Accenture", "IBM")  # the guide's order
    assert [b["author"] for b in kb.collection("books")] == ["V. Anandkumar", "Kedar Virkar", "Donnie Baje"]
    for faq in ("degree", "job_stability", "shifts", "switch_industry"):
        assert kb.topic(faq).section == "faq"


@pytest.mark.parametrize("typed, expected", [
    ("CSE", "customer_service_executive"), ("tech support", "technical_support_associate"),
    ("DEO", "data_entry_operator"), ("QA", "quality_analyst"), ("TL", "team_leader"),
    ("green belt", "six_sigma"), ("ITIL v4", "itil"), ("Infosys", "infosys_bpm"),
    ("BFSI", "banking_financial_services"), ("tech suport", "technical_support_associate"),
    ("Data-Entry Operator!", "data_entry_operator"), ("process trainer", "team_leader"),
])
def test_find_by_synonym_and_typo(kb, typed, expected):
    assert kb.find(typed).id == expected


def test_find_respects_kind_and_rejects_unknown(kb):
    assert kb.find("QA", kinds=["certifications"]) is None
    assert kb.find("astronaut") is None
    assert kb.find("") is None


def test_queries_the_actions_need(kb):
    assert [c.id for c in kb.certifications_for("technical_support_associate")] == ["itil", "soft_skills_training"]
    assert kb.certifications_for("data_entry_operator") == []
    assert [r.id for r in kb.next_roles("team_leader")] == ["operations_manager", "transition_manager"]
    assert kb.next_roles("client_relationship_manager") == []
    assert kb.get("six_sigma")["levels"] == ["Yellow Belt", "Green Belt"]
    assert kb.not_covered_in("What's the CTC for a fresher?").id == "salary"
    assert kb.not_covered_in("when is the walk-in at Wipro").id == "hiring_dates"
    assert kb.not_covered_in("what shifts are there") is None


def test_entity_patterns_cover_every_synonym(kb):
    patterns = kb.entity_patterns()
    ids = {(p["label"], p["id"]) for p in patterns}
    assert ("role", "quality_analyst") in ids and ("certification", "itil") in ids
    qa = [p["pattern"] for p in patterns if p["id"] == "quality_analyst"]
    assert [{"LOWER": "qa"}] in qa


def test_unknown_key_is_named(tmp_path):
    message = broken(tmp_path, lambda d: d["roles"][1].update(salary="lots"))
    assert "roles[1] (id 'technical_support_associate')" in message and "field 'salary': unknown field" in message


def test_missing_field_is_named(tmp_path):
    message = broken(tmp_path, lambda d: d["books"][2].pop("author"))
    assert "books[2] (id 'call_center_fundamentals')" in message and "field 'author': missing" in message


def test_duplicate_id_is_named(tmp_path):
    message = broken(tmp_path, lambda d: d["companies"][1].update(id="accenture"))
    assert "companies[1]" in message and "duplicate id" in message and "companies[0]" in message


def test_duplicate_synonym_is_named(tmp_path):
    message = broken(tmp_path, lambda d: d["certifications"][0]["synonyms"].append("QA"))
    assert "certifications[0] (id 'six_sigma')" in message and "'QA' is also a synonym in roles[5]" in message


def test_dangling_reference_is_named(tmp_path):
    message = broken(tmp_path, lambda d: d["certifications"][1]["helps"].append("astronaut"))
    assert "field 'helps': 'astronaut' is not an id in 'roles'" in message


def test_unknown_top_level_key_and_missing_phrase(tmp_path):
    assert "top-level key 'salaries'" in broken(tmp_path, lambda d: d.update(salaries=[]))
    assert "missing: which_role" in broken(tmp_path, lambda d: d["phrases"].pop("which_role"))


def test_wrong_types_and_unknown_section(tmp_path):
    assert "field 'synonyms': expected a list" in broken(tmp_path, lambda d: d["skills"][0].update(synonyms="talking"))
    assert "unknown section 'salary'" in broken(tmp_path, lambda d: d["industries"][0].update(section="salary"))


def test_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(KnowledgeError, match="cannot read"):
        load(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("roles: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load(bad)


@pytest.mark.skipif(not GUIDE.exists(), reason="the guide is not beside the project")
def test_no_sentence_copied_from_the_guide():
    guide = knowledge.normalise(GUIDE.read_text(encoding="utf-8")).split()
    ours = knowledge.normalise(knowledge.DEFAULT_PATH.read_text(encoding="utf-8")).split()
    shingles = {tuple(guide[i:i + 8]) for i in range(len(guide) - 7)}
    copied = [" ".join(ours[i:i + 8]) for i in range(len(ours) - 7) if tuple(ours[i:i + 8]) in shingles]
    assert copied == []


@pytest.mark.parametrize("text, names", [
    ("is a cse's job hard", True), ("what about non-voice", True), ("tell me about ITIL v4", True),
    ("is it hard", False), ("who wrote it", False), ("", False),
])
def test_whether_a_message_names_an_entry(text, names):
    assert load().names_an_entry(text) is names
