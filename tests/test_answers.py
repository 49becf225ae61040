"""Answer composition: the right facts, short texts, working buttons, a source line."""
import json
import re

import pytest
import yaml

from bot.answers import Composer
from bot.knowledge import load

KB = load()
COMPOSER = Composer(KB)
DOMAIN_INTENTS = set(yaml.safe_load(open("domain.yml", encoding="utf-8"))["intents"])


def every_answer():
    for topic in KB.collection("topics"):
        yield COMPOSER.topic(topic)
    for entry in KB.all_entries():
        if entry.kind not in ("topics", "not_covered"):
            yield COMPOSER.describe(entry)
    for role in KB.roles():
        yield COMPOSER.role_skills(role)
        yield COMPOSER.role_certifications(role)
        yield COMPOSER.career_path(role)


def test_every_answer_is_short_cites_the_guide_and_has_valid_buttons():
    for answer in every_answer():
        lines = answer.text.splitlines()
        assert 2 <= len(lines) <= 5, answer.text
        assert lines[-1].startswith("From the guide: ")
        assert 1 <= len(answer.buttons) <= 3, answer.text
        for button in answer.buttons:
            match = re.fullmatch(r"/(\w+)(\{.*\})?", button.payload)
            assert match and match.group(1) in DOMAIN_INTENTS, button.payload
            for entity_id in json.loads(match.group(2) or "{}").values():
                assert KB.get(entity_id) is not None, button.payload


def test_role_answer_states_work_and_needs():
    answer = COMPOSER.role(KB.get("data_entry_operator"))
    assert "Data Entry Operator" in answer.text and "accuracy and speed" in answer.text
    assert answer.slots == {"role": "data_entry_operator", "topic": "data_entry_operator", "role_question": "ask_role"}
    assert [b.payload for b in answer.buttons] == [
        '/ask_role_skills{"role": "data_entry_operator"}',
        '/ask_role_certifications{"role": "data_entry_operator"}',
        '/ask_career_path{"role": "data_entry_operator"}',
    ]


def test_certifications_for_a_role_and_honest_none():
    assert "ITIL Foundation" in COMPOSER.role_certifications(KB.get("technical_support_associate")).text
    none = COMPOSER.role_certifications(KB.get("process_associate")).text
    assert "doesn't link a particular certification" in none and "Six Sigma" in none


def test_six_sigma_lists_belts_and_roles():
    text = COMPOSER.certification(KB.get("six_sigma")).text
    assert "Yellow Belt, Green Belt" in text and "Quality Analyst" in text


def test_career_path_and_top_of_ladder():
    assert "Operations Manager" in COMPOSER.career_path(KB.get("team_leader")).text
    assert "nothing beyond" in COMPOSER.career_path(KB.get("client_relationship_manager")).text


def test_list_sets_listed_slot_and_select_picks_by_position():
    listing = COMPOSER.topic(KB.topic("entry_roles"))
    assert "1. Customer Service Executive; 2. Technical Support Associate;" in listing.text
    assert listing.slots["listed"][1] == "technical_support_associate"
    assert "Technical Support Associate" in COMPOSER.select(listing.slots["listed"], 2).text
    assert "Process Associate" in COMPOSER.select(listing.slots["listed"], -1).text
    assert "only has 4 items" in COMPOSER.select(listing.slots["listed"], 7).text
    assert "haven't shown a list" in COMPOSER.select([], 1).text


def test_company_answer_never_invents_openings():
    text = COMPOSER.describe(KB.get("genpact")).text
    assert "Genpact is on the guide's list" in text and "doesn't cover openings" in text


@pytest.mark.parametrize("message, topic", [
    ("salary for CSE in accenture?", "salaries or pay"),
    ("US visa rules for bpo staff", "visa or work-permit rules"),
    ("best college for BPO", "particular colleges"),
])
def test_not_covered_names_the_gap(message, topic):
    answer = COMPOSER.not_covered(message)
    assert topic in answer.text and "won't guess" in answer.text
    assert not re.search(r"\d", answer.text)


def test_did_you_mean_offers_two_answerable_intents():
    answer = COMPOSER.did_you_mean(["ask_role_skills", "ask_skills"], {"role": "quality_analyst"})
    assert [b.payload for b in answer.buttons] == ['/ask_role_skills{"role": "quality_analyst"}', "/ask_skills"]
    assert COMPOSER.did_you_mean(["greet", "out_of_scope"], {}).text.startswith("Sorry")
