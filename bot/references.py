"""Messages whose own words say which entries they mean, whatever intent NLU gave them: follow-ups
that point back at the conversation, and comparisons of two entries named side by side.

NLU reads each message alone. With a list on screen or an entry in focus, "who wrote the second
one" is not off-topic, "why is the first one important" is not the degree FAQ, and "and for
technical support?" after Six Sigma asks for that role's certification, not what the role is.
`resolve` decides from the text, the entries NLU named and the conversation's slots whether a
message refers back, and to which entry (and which question about a role); None leaves the message
to its intent. Only forms that say so in their words count (an ordinal, "which of those", a short
"and for X?", a pronoun with a word of the entry in focus, two entries of one kind with "vs", "or",
"difference"...), so a new question is never captured.

bot/policies/reference_policy.py asks `resolve` whether to send the turn to action_follow_up; that action
asks again for the answer. Imports neither Rasa nor rasa_sdk.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.context_rewrite import points_back
from bot.kind_references import described_certification, entry_of_kind_meant, others_of_kind
from bot.knowledge import ENTITY_OF, Entry, Knowledge
from bot.ordinals import LAST, ORDINAL_WORDS, ORDINALS
from bot.retrieval import EntryIndex
from bot.text import refers_back
# Few items are on screen, so a faint likeness picks one: the same bar as for unsure messages.
from bot.unsure import LIST_ITEM_FLOOR, LIST_ITEM_MARGIN

_ORDINAL = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
# "the second one", "2nd option", "doosra wala"; "the second" only when followed by nothing that
# makes it a phrase of its own ("the first job I had", "the first time").
ORDINAL_REFERENCE = re.compile(
    rf"\b(?P<a>{_ORDINAL})\s+(?:one|option|item|point|wala|wali|vala|vali)\b"
    rf"|\bthe\s+(?P<b>{_ORDINAL})(?=\s*(?:$|[?.!,]|\s(?:one|book|course|cert\w*|skill|role|industry|company|"
    rf"sector|type|kind|is|was|does|do|about|for|mean|means|please|pls|plz|involve\w*|hai|kya)\b))"
    rf"|\b(?:number|no\.?|option|#)\s*(?P<c>[1-8])\b",
    re.IGNORECASE,
)
# "the last two", "first 2", "both of them": those items side by side.
SEVERAL_ITEMS = re.compile(r"\b(?P<end>first|last|top|pehle|aakhri)\s+(?P<count>two|2|three|3)\b|\bboth( of (?:them|those|these))?\b",
                           re.IGNORECASE)
# Two entries of one kind named with one of these words are compared ("TL vs QA", "ITIL ya CCSP").
COMPARISON = re.compile(r"\b(?:vs|versus|or|ya|compare|comparison|compared|difference|differ|different|better|"
                        r"between|which should|farak|fark)\b", re.IGNORECASE)
# The kinds whose entries have a line of their own to set side by side (bot/answers.py's one_liner).
COMPARABLE_KINDS = {"roles", "work_types", "skills", "certifications", "books"}
# "which one suits a fast typist?", "which of those handles complaints?", "among them".
ABOUT_THE_LIST = re.compile(
    r"\b(?:which|what|konsa|kaunsa|kaun sa)\s+(?:one|of (?:them|those|these|the (?:two|three|four|five|above)))\b"
    r"|\bwhich of\b|\b(?:among|out of) (?:them|those|these|the (?:two|three|four|five))\b"
    r"|\bany (?:\w+ )?one\b",
    re.IGNORECASE,
)
# "and for non-voice?", "what about insurance", "aur TSA?": the last question, about something else.
FOLLOW_ON = re.compile(r"^(?:(?:ok|okay|so|then|acha|achha|accha|hmm)\W+)?"
                       r"(?:and|aur|n|or|also|what about|how about|and what about|what abt)\b\s*(?:for\s+)?", re.IGNORECASE)
FOLLOW_ON_MAX_WORDS = 6
# FAQ answers hold for every role and kind of work: "and for data entry?" after the degree FAQ is it again.
FAQ_TOPICS = {"degree", "job_stability", "shifts", "switch_industry"}
# A "what about X?" names X clearly enough among the entries of one kind at this score.
SIBLING_FLOOR, SIBLING_MARGIN = 0.15, 0.05
# How much of the entry in focus an off-topic pronoun question must echo ("do they check quality?" after TL).
ECHO_FLOOR = 0.05
# A short message whose second or third reading (at least FOCUS_FLOOR) is the topic in focus, and whose
# first is not sure (below FOCUS_CEILING), asks that topic again.
FOCUS_MAX_WORDS, FOCUS_FLOOR, FOCUS_CEILING = 6, 0.1, 0.8
ROLE_CERTIFICATIONS = "ask_role_certifications"
SKILLS_OF_A_ROLE = "ask_role_skills"
ROLE_QUESTIONS = {"ask_role", "ask_role_skills", "ask_role_certifications", "ask_career_path"}
# NLU's guesses that a pronoun question echoing the entry in focus overrides: off-topic, unsure, and the
# general advice ("is it calls only?" after a role reads like "is BPO only calls?"). Other topics keep
# theirs: widening this to the skills, lists and what-is-BPO topics lost more follow-ups than it won.
OFF_TOPIC_INTENTS = {"out_of_scope", "nlu_fallback", "ask_advice"}
# The intents that ask about an entry of each kind (topics: their own ask_<id>), for the reading of a
# message rewritten with the entry in focus named (bot/nlu/contextual_reading.py).
ABOUT_KIND = {"roles": ROLE_QUESTIONS, "certifications": {"ask_certification", "ask_role_certifications"},
              "skills": {"ask_skills"}, "work_types": {"ask_voice_vs_non_voice", "ask_skills", "ask_role_skills"},
              "books": {"ask_books"},
              "industries": {"ask_industries"}, "companies": {"ask_companies"}}
# When that reading wins (read_in_context); chosen on the first and fresh blind conversations.
CONTEXT_FLOOR, TYPED_CEILING, CONTEXT_SHORT = 0.3, 0.9, 3
CONTEXT_CLEAR, TYPED_UNCLEAR = 0.7, 0.6


@dataclass(frozen=True)
class Context:
    """The conversation's slots that follow-ups resolve against (knowledge ids, or None)."""
    listed: Sequence[str] = ()
    topic: Optional[str] = None
    role_question: Optional[str] = None


@dataclass(frozen=True)
class Reference:
    """What a follow-up means: `entry`, and for a role the question asked about it (an intent of
    ROLE_QUESTIONS; "" describes the entry). `why` names the rule, for logs and tests."""
    entry: Entry
    question: str = ""
    why: str = ""
    # More entries meant with `entry` ("the last two"): answered side by side.
    others: Sequence[Entry] = ()


def ordinal_position(text: str) -> Optional[int]:
    """The 1-based position (LAST for the last) an ordinal reference in `text` names, or None."""
    match = ORDINAL_REFERENCE.search(text or "")
    if match is None:
        return None
    word = match.group("a") or match.group("b") or match.group("c")
    return ORDINALS.get(word.lower())


def several_items(text: str, listed: Sequence[Entry]) -> Sequence[Entry]:
    """The items of `listed` that "the last two", "first 3" or "both" name; empty for none."""
    match = SEVERAL_ITEMS.search(text or "")
    if match is None or len(listed) < 2:
        return ()
    if not match.group("end"):  # "both"
        return tuple(listed[:2]) if len(listed) == 2 else ()
    count = 2 if match.group("count").lower() in ("two", "2") else 3
    last = match.group("end").lower() in ("last", "aakhri")
    return tuple(listed[-count:] if last else listed[:count])


class Resolver:
    """Resolves follow-ups against the knowledge file (`kb`) and its TF-IDF index."""

    def __init__(self, kb: Knowledge, index: EntryIndex):
        self.kb = kb
        self.index = index

    def resolve(self, text: str, intent: str, named: Sequence[Entry], context: Context,
                ranking: Sequence[Tuple[str, float]] = (), reading: Optional[Mapping[str, Any]] = None
                ) -> Optional[Reference]:
        """The entry the message refers back to, or None.

        `text`: the message as NLU read it; `intent`: NLU's intent; `named`: the knowledge entries the
        message names (NLU's entities, resolved); `context`: the slots; `ranking`: NLU's (intent,
        confidence) pairs, best first; `reading`: what NLU made of the message rewritten with the
        entry in focus named (its "intent_ranking" and "entities"), if it was. Never raises for any text.
        """
        listed = [e for e in (self.kb.get(i) for i in context.listed or ()) if e is not None]
        focus = self.kb.get(context.topic or "")
        if text.lstrip().startswith("/"):
            return None  # a button's payload says exactly what it asks
        alike = [e for e in named if e.kind == named[0].kind and e.kind in COMPARABLE_KINDS]
        if len(alike) == 2 == len(named) and COMPARISON.search(text) and not self.whole_list_of(intent, alike):
            return Reference(alike[0], why="comparison", others=(alike[1],))
        picked = self.from_list(text, named, listed)
        if picked is not None:
            # "what should I be good at for the second one?": NLU's question, about the item picked.
            asked = SKILLS_OF_A_ROLE if intent == "ask_skills" else intent
            if picked.entry.kind == "roles" and asked in ROLE_QUESTIONS and not picked.others:
                return Reference(picked.entry, asked, picked.why)
            return picked
        if focus is None or focus.kind == "not_covered":
            return None
        meant = None if named else (others_of_kind(self.kb, text, focus) or entry_of_kind_meant(self.kb, text, focus, listed))
        if meant is not None:  # "what is that cert for?" after a role's certifications
            return Reference(meant, intent if meant.kind == "roles" and intent in ROLE_QUESTIONS else "", "kind named")
        if named and focus.kind == "certifications" and named[0].kind == "roles" and (
                ABOUT_THE_LIST.search(text) or (points_back(text) and intent in OFF_TOPIC_INTENTS)):
            return Reference(named[0], ROLE_CERTIFICATIONS, "certification for a role")  # "is it worth it for a cse?"
        follow_on = FOLLOW_ON.match(text.strip())
        if follow_on and len(text.split()) <= FOLLOW_ON_MAX_WORDS:
            return self.follow_on(text[follow_on.end():], named, focus, context)
        contextual = self.read_in_context(text, named, focus, ranking, reading)
        if contextual is not None:
            return contextual
        # "is travel among them?", or an item on screen named alone ("accenture bhi hai kya?")
        if intent in OFF_TOPIC_INTENTS and (refers_back(text) or (len(named) == 1 and named[0] in listed)):
            return self.pronoun(text, named, focus, listed)
        return self.leaning_to_focus(text, named, focus, ranking)

    def read_in_context(self, text: str, named: Sequence[Entry], focus: Entry, ranking: Sequence[Tuple[str, float]],
                        reading: Optional[Mapping[str, Any]]) -> Optional[Reference]:
        """The entry in focus, when NLU reads the message rewritten with it named as a question about
        it ("what skill is most needed for Data Entry Operator") and the message as typed as something
        else ("what skill is most needed for it": the general skills list): if the message points
        back and that reading is fairly sure (the typed one not very), if the message is a few words
        and that reading is the surer one, or if that reading is clear and the typed one is not. Not
        for a topic that shows a list. A typed reading TYPED_CEILING sure is never overruled: "what is
        bpo" after the shifts answer is a new question, read 0.93-0.97 either way."""
        if not reading or named or focus.get("lists"):  # a list's items are picked by from_list
            return None
        about = {f"ask_{focus.id}"} if focus.kind == "topics" else ABOUT_KIND.get(focus.kind, set())
        readings = [[(r.get("name") or "", float(r.get("confidence") or 0)) for r in rows if r.get("name") != "nlu_fallback"]
                    for rows in (reading.get("intent_ranking") or [], [{"name": n, "confidence": c} for n, c in ranking])]
        (asked, sure), (typed, typed_sure) = [(rows[0] if rows else ("", 0.0)) for rows in readings]
        if asked not in about or typed in about:
            return None
        if any(e != focus for e in named_entries(self.kb, reading.get("entities") or [])):
            return None
        pointing = points_back(text) and sure >= CONTEXT_FLOOR and typed_sure < TYPED_CEILING
        short = len(text.split()) <= CONTEXT_SHORT and typed_sure <= sure and typed_sure < TYPED_CEILING
        if pointing or short or (sure >= CONTEXT_CLEAR and typed_sure < TYPED_UNCLEAR):
            described = described_certification(self.index, text) if asked == ROLE_CERTIFICATIONS else None
            if described is not None:  # "which certification would help with process improvement?"
                return Reference(described, why="certification described")
            return Reference(focus, asked if focus.kind == "roles" else "", "read with the entry in focus")
        return None

    @staticmethod
    def leaning_to_focus(text: str, named: Sequence[Entry], focus: Entry,
                         ranking: Sequence[Tuple[str, float]]) -> Optional[Reference]:
        """A short message NLU is torn about, one of whose likely readings asks the topic in focus again
        ("which skills carry over?" after the FAQ on moving to other industries): that topic."""
        ranked = [(name, confidence) for name, confidence in ranking if name != "nlu_fallback"]
        if named or focus.kind != "topics" or len(text.split()) > FOCUS_MAX_WORDS or not ranked:
            return None
        own = f"ask_{focus.id}"
        if ranked[0][0] == own or ranked[0][1] >= FOCUS_CEILING:
            return None
        leaning = any(name == own and confidence >= FOCUS_FLOOR for name, confidence in ranked[1:3])
        return Reference(focus, why="leaning to the topic in focus") if leaning else None

    def resolve_message(self, text: str, parse: Mapping[str, Any], slot: Callable[[str], Any]) -> Optional[Reference]:
        """`resolve` for a message as Rasa parsed it (`parse`: its "intent", "entities" and
        "intent_ranking"), with the conversation's slots read by `slot(name)`; the one call of both
        the policy (bot/policies/reference_policy.py) and the action answering (actions/follow_up.py)."""
        context = Context(listed=tuple(slot("listed") or ()), topic=slot("topic"), role_question=slot("role_question"))
        ranking = [(r.get("name") or "", float(r.get("confidence") or 0)) for r in parse.get("intent_ranking") or []]
        intent = (parse.get("intent") or {}).get("name") or ""
        return self.resolve(text, intent, named_entries(self.kb, parse.get("entities") or []), context, ranking,
                            parse.get("context_reading"))

    def from_list(self, text: str, named: Sequence[Entry], listed: Sequence[Entry]) -> Optional[Reference]:
        """An item of the list on screen, by position ("the second one") or description ("which one
        suits a fast typist?")."""
        # Entries of another kind describe the item ("which one is for beginners in voice?").
        named = [e for e in named if e.kind in {item.kind for item in listed}]
        if not listed or any(e not in listed for e in named):
            return None
        chosen = several_items(text, listed)
        if chosen:
            return Reference(chosen[0], why="several from the list", others=tuple(chosen[1:]))
        position = ordinal_position(text)
        if position is not None:
            index = len(listed) - 1 if position == LAST else position - 1
            return Reference(listed[index], why="position") if 0 <= index < len(listed) else None
        if ABOUT_THE_LIST.search(text):
            if len(named) == 1:
                return Reference(named[0], why="named from the list")
            item = self.index.best(text, ids=[e.id for e in listed], floor=LIST_ITEM_FLOOR, margin=LIST_ITEM_MARGIN)
            if item is not None:
                return Reference(item, why="described from the list")
        return None

    def follow_on(self, rest: str, named: Sequence[Entry], focus: Entry, context: Context) -> Optional[Reference]:
        """"and for X?" / "what about X?": the question last asked, about X."""
        if focus.id in FAQ_TOPICS:
            kinds = ["roles", "work_types"]
            group = named[0] if named else self.index.best(rest, kinds=kinds, floor=SIBLING_FLOOR, margin=SIBLING_MARGIN)
            return Reference(focus, why="the same FAQ") if group is not None and group.kind in kinds else None
        other = named[0] if named else self.index.best(rest, kinds=["roles", "work_types", focus.kind],
                                                         floor=SIBLING_FLOOR, margin=SIBLING_MARGIN)
        if other is None:
            return None
        if other.kind == "roles":
            if focus.kind == "certifications" or context.role_question == ROLE_CERTIFICATIONS:
                return Reference(other, ROLE_CERTIFICATIONS, "certification for a role")
            if context.role_question in ROLE_QUESTIONS:
                return Reference(other, context.role_question, "the same question")
        if other.kind == focus.kind or (focus.kind == "topics" and other.kind == focus.get("lists")):
            return Reference(other, why="a sibling")
        return None

    def pronoun(self, text: str, named: Sequence[Entry], focus: Entry, listed: Sequence[Entry]) -> Optional[Reference]:
        """"is travel among them?", "do they also check quality?": taken for off-topic by NLU, but about
        the entry in focus (or an item of its list) when it names one or echoes its words."""
        if named:
            return Reference(named[0], why="named, pointing back") if named[0] in listed or named[0] == focus else None
        echo = self.index.rank(text, ids=[focus.id])
        return Reference(focus, why="pronoun") if echo and echo[0].score >= ECHO_FLOOR else None

    def whole_list_of(self, intent: str, entries: Sequence[Entry]) -> bool:
        """True if `intent` asks for a topic listing exactly `entries` (the voice vs non-voice topic)."""
        topic = self.kb.get(intent[len("ask_"):]) if intent.startswith("ask_") else None
        if topic is None or topic.kind != "topics" or not topic.get("lists"):
            return False
        return {e.id for e in self.kb.collection(topic["lists"])} == {e.id for e in entries}


def named_entries(kb: Knowledge, entities: Iterable[Mapping[str, Any]]) -> List[Entry]:
    """The knowledge entries NLU's `entities` (Rasa's entity dicts) name, in order, each once."""
    kind_of = {entity: kind for kind, entity in ENTITY_OF.items()}
    found: List[Entry] = []
    for entity in entities or ():
        kind = kind_of.get(entity.get("entity"))
        entry = kb.find(entity.get("value"), kinds=[kind]) if kind else None
        if entry is not None and entry not in found:
            found.append(entry)
    return found


def answer_intent(reference: Reference) -> str:
    """The role question to answer (ROLE_QUESTIONS), or "" to describe the entry."""
    return reference.question if reference.entry.kind == "roles" and reference.question in ROLE_QUESTIONS else ""
