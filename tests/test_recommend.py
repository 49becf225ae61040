"""The role finder's recommender over the answer combinations that matter."""
import pytest

from bot.knowledge import load
from bot.recommend import RoleFinder

FINDER = RoleFinder(load())


def profile(calls, typing, technical, degree, nights=True):
    return dict(calls=calls, typing=typing, technical=technical, degree=degree, nights=nights)


@pytest.mark.parametrize("answers, top", [
    (profile(calls=True, typing=False, technical=False, degree=False), "customer_service_executive"),
    (profile(calls=True, typing=False, technical=True, degree=True), "technical_support_associate"),
    (profile(calls=False, typing=True, technical=False, degree=False), "data_entry_operator"),
    (profile(calls=False, typing=True, technical=False, degree=True), "process_associate"),
])
def test_each_entry_role_is_the_top_pick_for_some_profile(answers, top):
    assert FINDER.rank(answers)[0].role.id == top


def test_at_most_two_picks_each_with_reasons_certifications_and_next_roles():
    answer = FINDER.recommend(profile(calls=True, typing=False, technical=True, degree=True))
    assert "1. Technical Support Associate: you like technical problems" in answer.text
    assert "2. Customer Service Executive" in answer.text and "3." not in answer.text
    assert "ITIL Foundation" in answer.text and "Leads to: Team Leader / Process Trainer or Quality Analyst" in answer.text
    assert answer.slots == {"role": "technical_support_associate",
                            "listed": ["technical_support_associate", "customer_service_executive"]}


def test_no_fit_is_said_honestly_with_skills_to_build():
    answer = FINDER.recommend(profile(calls=False, typing=False, technical=False, degree=False, nights=False))
    assert FINDER.rank(profile(calls=False, typing=False, technical=False, degree=False)) == []
    assert "none of the four starting roles is a strong match" in answer.text
    assert "Typing speed and accuracy" in answer.text
    assert "domestic processes" in answer.text  # the night-shift note


def test_changing_an_answer_changes_the_pick():
    before = profile(calls=False, typing=True, technical=False, degree=True)
    after = dict(before, degree=False)
    assert FINDER.rank(before)[0].role.id == "process_associate"
    assert FINDER.rank(after)[0].role.id == "data_entry_operator"


@pytest.mark.parametrize("text, facts", [
    ("I'm a graduate and I type fast", {"degree": True, "typing": True}),
    ("actually I can't do nights", {"nights": False}),
    ("not a graduate, still studying", {"degree": False}),
    ("i'm not technical and i don't like calls", {"technical": False, "calls": False}),
    ("what are the shift timings", {}),
])
def test_free_text_answers(text, facts):
    assert FINDER.read(text) == facts
