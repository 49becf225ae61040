"""What to say when NLU is unsure, or a message's intent makes no sense where it was said.

The order of the checks is the design:
1. a bare "ok"/"yes"/"no" with nothing pending gets one friendly "anything I can help with?";
2. facts about oneself ("I'm a graduate and I type fast") outside the role finder get an offer to
   start it;
3. a question about what the guide leaves out (pay, visas, fees) hears that it is not covered;
4. a guess that refers back to what the conversation is about ("is it calls only?" after a role)
   is answered about that;
5. a message of a few words naming one entry ("deo", "itil?") is about that entry;
6. the knowledge file's second opinion (bot/retrieval.py): when one entry clearly fits the message
   and NLU's own guesses point the same way (its top intents include one that answers that kind of
   entry), that entry is answered;
7. one topic NLU thinks far likelier than anything else ("bpo jobs") is answered;
8. otherwise "did you mean" with the likeliest answerable questions, when NLU or the retrieval has
   some;
9. otherwise a polite decline with suggestions.
NLU's confident "out of scope" is never overruled by the retrieval: words shared with the guide
("book a table", "travel to Spain") are exactly where the retrieval alone goes wrong.

Imports neither Rasa nor rasa_sdk.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from bot.answers import Answer, Button, Composer, payload
from bot.knowledge import Entry, normalise
from bot.recommend import RoleFinder
from bot.retrieval import EntryIndex, content_words
from bot.text import refers_back

FALLBACK_INTENT = "nlu_fallback"
FOLLOW_UP_INTENT = "ask_more"
OUT_OF_SCOPE = "out_of_scope"
ACKNOWLEDGEMENTS = {"affirm", "deny", "thanks"}
PROFILE_INTENTS = {"tell_profile", "find_role"}
MAX_ACKNOWLEDGEMENT_WORDS = 4
# A message this short that names one entry ("deo", "itil cert?") is about that entry.
SHORT_MESSAGE_WORDS = 3
# Below this NLU confidence an intent is a guess, not a candidate: gibberish scores ~0.1 on every intent.
SUGGEST_FLOOR = 0.2
# NLU this sure that a message is off-topic is not second-guessed.
OUT_OF_SCOPE_FLOOR = 0.3
# The retrieval's answer needs this score and this lead over the runner-up (see docs/evaluation.md).
ANSWER_FLOOR = 0.25
ANSWER_MARGIN = 0.05
# How sure the retrieval must be that a message describes one role ("who checks calls for quality?"):
# on 45 such training questions, 39 found, 2 wrong, 4 asked back (docs/evaluation.md).
DESCRIBED_ROLE_FLOOR = 0.1
DESCRIBED_ROLE_MARGIN = 0.02
# An unsure best guess still counts as the answer when the runner-up is at most this share of it.
CLEAR_LEAD = 0.75
SUGGEST_SCORE = 0.2
# Guesses that mean the message is about the list on screen.
LIST_INTENTS = {FOLLOW_UP_INTENT, "find_role", "select_item"}
# How clearly a message must describe one item of the list on screen to pick it: low, because the
# choice is only among the few items shown ("which one suits a fast typist?" after voice/non-voice).
LIST_ITEM_FLOOR = 0.05
LIST_ITEM_MARGIN = 0.03

# Which intents answer which kind of entry: the retrieval's pick counts only if NLU leans that way.
INTENTS_FOR_KIND = {
    "roles": {"ask_role", "ask_role_skills", "ask_role_certifications", "ask_career_path",
              "ask_entry_roles", "ask_growth_roles"},
    "certifications": {"ask_certification", "ask_certifications", "ask_role_certifications"},
    "skills": {"ask_skills", "ask_role_skills"},
    "industries": {"ask_industries"},
    "companies": {"ask_companies"},
    "books": {"ask_books"},
    "work_types": {"ask_voice_vs_non_voice"},
}

Ranking = Sequence[Tuple[str, float]]
# Questions about one role, and the composer's method answering each.
ROLE_ANSWERS = {"ask_role": "role", "ask_role_skills": "role_skills",
                "ask_role_certifications": "role_certifications", "ask_career_path": "career_path"}


def intents_for(entry: Entry) -> set:
    if entry.kind == "topics":
        return {f"ask_{entry.id}"}
    return INTENTS_FOR_KIND.get(entry.kind, set())


class Clarifier:
    """Replies for unsure messages, from the composer, the knowledge index and the role finder."""

    def __init__(self, composer: Composer, index: EntryIndex, finder: RoleFinder):
        self.composer = composer
        self.index = index
        self.finder = finder
        self.phrases = composer.phrases

    def reply(self, text: str, ranking: Ranking, entities: Optional[Dict[str, str]] = None,
              focus: Optional[Entry] = None, listed: Sequence[Entry] = ()) -> Answer:
        """The answer to an unsure message.

        `text`: what the person typed; `ranking`: NLU's (intent, confidence) pairs, best first
        (nlu_fallback may be among them and is ignored); `entities`: entity name -> knowledge id
        of the entries the message names; `focus`: the entry the conversation is about (the last
        answer's), which NLU's guesses may refer to ("is it calls only?"); `listed`: the entries of
        the list shown last ("which one suits a fast typist?" picks one). Never raises for any text.
        """
        if text.strip().startswith("/"):  # a command or payload the bot doesn't have
            return self.composer.redirect()
        ranking = [(name, conf) for name, conf in ranking if name != FALLBACK_INTENT]
        top, confidence = ranking[0] if ranking else ("", 0.0)
        if self.acknowledges(text) or (top in ACKNOWLEDGEMENTS and len(text.split()) <= MAX_ACKNOWLEDGEMENT_WORDS):
            return self.anything_else()
        if top in PROFILE_INTENTS and self.finder.read(text):
            return Answer(self.phrases["offer_role_finder"],
                          [Button(self.finder.data["button"], payload("find_role"))] + self.composer.suggestions()[:1])
        if not entities and self.composer.kb.not_covered_in(text) is not None:  # pay, visas, fees...
            return self.composer.not_covered(text)
        if top == OUT_OF_SCOPE and confidence >= OUT_OF_SCOPE_FLOOR:
            return self.composer.redirect(text)
        candidates = [name for name, conf in ranking if conf >= SUGGEST_FLOOR][:2]
        if not entities:
            follow_up = self.about_focus(text, candidates, focus, listed)
            if follow_up is not None:
                return follow_up
        named = [e for e in (self.composer.kb.get(i) for i in (entities or {}).values()) if e is not None]
        if len(named) == 1 and self.only_names(text, named[0]):  # "deo", "itil cert?", "OM role in bpo"
            intent = next((i for i in candidates if i in intents_for(named[0])), "")
            return self.answer(intent, named[0])
        matches = self.index.rank(text)
        picked = self.second_opinion(matches, candidates) or self.described_role(text, candidates)
        if picked is not None:
            return self.answer(*picked)
        topic = self.clear_topic(ranking)
        if topic is not None:  # "bpo jobs": one likely topic, far ahead of the rest
            return self.composer.topic(topic)
        buttons = self.suggested_buttons(candidates, matches, entities or {})
        if buttons:
            return Answer(self.phrases["did_you_mean"], buttons)
        return self.composer.redirect(text)

    @staticmethod
    def only_names(text: str, entry: Entry) -> bool:
        """True if `text` is a few words, or says nothing but `entry`'s names and words every question
        about the guide shares ("OM role in bpo", "what is a TL"): then it asks about that entry."""
        if len(text.split()) <= SHORT_MESSAGE_WORDS:
            return True
        names = {w for alias in (entry.name, entry.id.replace("_", " "), *entry.synonyms) for w in normalise(alias).split()}
        return not [w for w in content_words(text).split() if w not in names]

    @staticmethod
    def second_opinion(matches: List, candidates: Sequence[str]) -> Optional[Tuple[str, Entry]]:
        """The retrieval's clear winner and the first of NLU's candidate intents that answers it,
        or None when there is no clear winner or NLU leans elsewhere."""
        if not matches or matches[0].score < ANSWER_FLOOR:
            return None
        if len(matches) > 1 and matches[0].score - matches[1].score < ANSWER_MARGIN:
            return None
        entry = matches[0].entry
        intent = next((i for i in candidates if i in intents_for(entry)), None)
        return (intent, entry) if intent else None

    def described_role(self, text: str, candidates: Sequence[str]) -> Optional[Tuple[str, Entry]]:
        """When NLU's first guess is "what is this role?", the role the message describes by its duties,
        judged as actions/common.py judges "who checks calls for quality?"."""
        if not candidates or candidates[0] != "ask_role":
            return None
        role = self.index.best(text, kinds=["roles"], floor=DESCRIBED_ROLE_FLOOR, margin=DESCRIBED_ROLE_MARGIN)
        return (candidates[0], role) if role is not None else None

    def clear_topic(self, ranking: Ranking) -> Optional[Entry]:
        """The topic NLU's best guess asks about, when the next guess is at most CLEAR_LEAD times as
        likely; None otherwise."""
        if not ranking or ranking[0][1] < SUGGEST_FLOOR:
            return None
        (intent, confidence), runner_up = ranking[0], ranking[1][1] if len(ranking) > 1 else 0.0
        topic = self.composer.kb.topic(intent.removeprefix("ask_")) if intent.startswith("ask_") else None
        return topic if topic is not None and runner_up <= CLEAR_LEAD * confidence else None

    def acknowledges(self, text: str) -> bool:
        """The message only acknowledges ("ok", "no thanks", "theek hai"; knowledge.yml)."""
        return (normalise(text) or text.strip()) in self.composer.kb.acknowledgements

    def anything_else(self) -> Answer:
        return Answer(self.phrases["anything_else"], self.composer.suggestions())

    def about_focus(self, text: str, candidates: Sequence[str], focus: Optional[Entry],
                    listed: Sequence[Entry]) -> Optional[Answer]:
        """A message that refers back to the entry in focus: NLU guessed a follow-up ("tell me more"),
        or it points back with a pronoun ("is it calls only?"), or NLU's best guess is a question
        about a role and a role is in focus ("what does it need?"); or it clearly describes one
        entry of the list shown last."""
        # The list's items are few, so a faint likeness picks one: only when the message is about
        # the list at all (NLU guessed a follow-up or a choice, or it points back with a pronoun).
        about_list = bool(LIST_INTENTS & set(candidates)) or refers_back(text)
        item = self.index.best(text, ids=[e.id for e in listed], floor=LIST_ITEM_FLOOR,
                               margin=LIST_ITEM_MARGIN) if about_list else None
        if item is not None:
            return self.composer.describe(item)
        if focus is None:
            return None
        if FOLLOW_UP_INTENT in candidates or refers_back(text):
            return self.composer.describe(focus)
        if focus.kind == "roles" and candidates and candidates[0] in ROLE_ANSWERS:
            return self.answer(candidates[0], focus)
        return None

    def answer(self, intent: str, entry: Entry) -> Answer:
        """`intent` answered about `entry`: a role's skills, certifications or next step when that is
        what was asked, else the entry itself."""
        if entry.kind == "roles" and intent in ROLE_ANSWERS:
            return getattr(self.composer, ROLE_ANSWERS[intent])(entry)
        return self.composer.describe(entry)

    def suggested_buttons(self, candidates: Sequence[str], matches: List, entities: Dict[str, str]) -> List[Button]:
        buttons = [b for b in (self.composer.intent_button(i, entities) for i in candidates) if b is not None]
        for match in matches[:2]:
            if match.score >= SUGGEST_SCORE and intents_for(match.entry) & set(candidates):
                buttons.append(self.composer.button(match.entry))
        unique = {b.payload: b for b in buttons}
        return list(unique.values())[:2]
