"""The rules of bot/knowledge.yml: which collections, fields and references it may hold, and the
validator that checks a loaded file against them (bot/knowledge.py calls it on every load).

Imports neither Rasa nor rasa_sdk.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

COMMON = {"id", "name", "section", "synonyms"}

# collection -> (required fields, optional fields)
SCHEMA: Dict[str, Tuple[set, set]] = {
    "topics": (COMMON | {"button", "text", "follow_ups"}, {"lists", "names", "terms"}),
    "work_types": (COMMON | {"summary", "examples"}, {"suits", "skills", "terms"}),
    "roles": (COMMON | {"level", "work", "skills", "leads_to", "follow_ups"}, {"needs", "duties", "terms"}),
    "skills": (COMMON | {"why"}, {"terms"}),
    "certifications": (COMMON | {"purpose", "helps"}, {"levels", "terms"}),
    "industries": (COMMON, set()),
    "companies": (COMMON, set()),
    "books": (COMMON | {"author", "covers"}, {"terms"}),
    "not_covered": (COMMON, set()),
}
TOP_LEVEL = {"guide", "sections", "phrases", "role_finder", "acknowledgements", "field_words"} | set(SCHEMA)

# The entity name NLU uses for each collection whose entries users name in a message.
ENTITY_OF = {
    "work_types": "work_type",
    "roles": "role",
    "certifications": "certification",
    "industries": "industry",
    "companies": "company",
    "skills": "skill",
    "books": "book",
}

LIST_FIELDS = {"synonyms", "examples", "follow_ups", "skills", "leads_to", "helps", "levels", "duties", "terms"}
LISTABLE = {"work_types", "roles_entry", "roles_growth", "skills", "certifications",
            "industries", "companies", "books"}
ROLE_LEVELS = ("entry", "growth")
# Follow-ups of a role may point at these questions about that same role.
ROLE_QUESTIONS = {"role_skills", "role_certifications", "career_path"}
# A follow-up button may also start the role finder.
ROLE_FINDER = "role_finder"
# Which collection a reference field must point into.
REFERENCES = {"skills": "skills", "leads_to": "roles", "helps": "roles"}

PHRASES = {
    "source", "which_role", "which_certification", "no_list", "bad_position", "role_skills", "role_skills_unstated",
    "role_skill_list", "role_certifications", "role_no_certification", "certification_helps",
    "career_path", "career_path_top", "in_list", "company_note", "not_covered",
    "not_covered_general", "did_you_mean", "redirect", "button_role_skills",
    "button_role_certifications", "button_career_path", "button_role", "button_certification", "list_more",
    "anything_else", "offer_role_finder", "not_covered_note", "work_skill", "work_skill_others",
}


class KnowledgeError(ValueError):
    """The knowledge file breaks a rule; the message names file, entry and field."""


def normalise(text: str) -> str:
    """Lower-case, drop punctuation except inner hyphens, squeeze spaces: how names are compared."""
    text = re.sub(r"[^\w\s-]", " ", text.lower().replace("-", " "))
    return " ".join(text.split())


class Validator:
    """Checks the raw YAML; the first problem found is raised as a KnowledgeError."""

    def __init__(self, data: Any, path: Path):
        self.data, self.path = data, path

    def fail(self, where: str, problem: str) -> None:
        raise KnowledgeError(f"{self.path}: {where}: {problem}")

    def run(self) -> None:
        data = self.data
        if not isinstance(data, Mapping):
            self.fail("top level", "expected a mapping of sections")
        for key in data:
            if key not in TOP_LEVEL:
                self.fail(f"top-level key '{key}'", f"unknown key (allowed: {', '.join(sorted(TOP_LEVEL))})")
        for key in ("guide", "sections", "phrases", "role_finder", "acknowledgements", *SCHEMA):
            if key not in data:
                self.fail(f"top-level key '{key}'", "missing")
        for key in ("acknowledgements", "field_words"):
            words = data.get(key, [])
            if not isinstance(words, list) or not all(isinstance(a, str) and a.strip() for a in words):
                self.fail(f"'{key}'", "expected a list of words (quote yes/no, which YAML reads as true/false)")
        for key in ("sections", "phrases"):
            if not isinstance(data[key], Mapping):
                self.fail(f"'{key}'", "expected a mapping")
        missing = PHRASES - set(data["phrases"])
        if missing:
            self.fail("'phrases'", f"missing: {', '.join(sorted(missing))}")
        ids: Dict[str, str] = {}
        aliases: Dict[str, str] = {}
        for kind, (required, optional) in SCHEMA.items():
            if not isinstance(data[kind], list):
                self.fail(f"'{kind}'", "expected a list of entries")
            for index, raw in enumerate(data[kind]):
                self.check_entry(kind, index, raw, required, optional)
                where = f"{kind}[{index}] (id '{raw['id']}')"
                if raw["id"] in ids:
                    self.fail(where, f"field 'id': duplicate id, also used in {ids[raw['id']]}")
                ids[raw["id"]] = where
                for synonym in raw["synonyms"]:
                    key = normalise(synonym)
                    if key in aliases and aliases[key] != where:
                        self.fail(where, f"field 'synonyms': '{synonym}' is also a synonym in {aliases[key]}")
                    aliases[key] = where
        self.check_references(ids)
        self.check_role_finder(data["role_finder"])

    def check_entry(self, kind: str, index: int, raw: Any, required: set, optional: set) -> None:
        where = f"{kind}[{index}]"
        if not isinstance(raw, Mapping):
            self.fail(where, "expected a mapping")
        if isinstance(raw.get("id"), str):
            where += f" (id '{raw['id']}')"
        for key in raw:
            if key not in required | optional:
                self.fail(where, f"field '{key}': unknown field")
        for key in sorted(required - set(raw)):
            self.fail(where, f"field '{key}': missing")
        for key, value in raw.items():
            if key in LIST_FIELDS:
                ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
                if not ok:
                    self.fail(where, f"field '{key}': expected a list of non-empty strings")
            elif not isinstance(value, str) or not value.strip():
                self.fail(where, f"field '{key}': expected a non-empty string")
        if not raw["synonyms"]:
            self.fail(where, "field 'synonyms': give at least one")
        if raw["section"] not in self.data["sections"]:
            self.fail(where, f"field 'section': unknown section '{raw['section']}'")
        if kind == "roles" and raw["level"] not in ROLE_LEVELS:
            self.fail(where, f"field 'level': must be one of {', '.join(ROLE_LEVELS)}")
        for field in ("lists", "names"):
            if kind == "topics" and field in raw and raw[field] not in LISTABLE:
                self.fail(where, f"field '{field}': must be one of {', '.join(sorted(LISTABLE))}")

    def check_role_finder(self, finder: Any) -> None:
        _check_role_finder(self.fail, finder, self.data)

    def check_references(self, ids: Mapping[str, str]) -> None:
        kinds = {raw["id"]: kind for kind in SCHEMA for raw in self.data[kind]}
        for kind in SCHEMA:
            for index, raw in enumerate(self.data[kind]):
                where = f"{kind}[{index}] (id '{raw['id']}')"
                for key, target in REFERENCES.items():
                    for ref in raw.get(key, []) if key in SCHEMA[kind][0] | SCHEMA[kind][1] else []:
                        if kinds.get(ref) != target:
                            self.fail(where, f"field '{key}': '{ref}' is not an id in '{target}'")
                for ref in raw.get("follow_ups", []):
                    role_question = kind == "roles" and ref in ROLE_QUESTIONS
                    if not role_question and ref != ROLE_FINDER and (ref not in ids or kinds[ref] == "not_covered"):
                        self.fail(where, f"field 'follow_ups': '{ref}' is not an id of an answerable entry")


ROLE_FINDER_TEXTS = {"button", "intro", "stopped", "no_fit", "night_note", "pick", "certifications",
                     "no_certification", "leads_to", "change_hint", "reask", "left"}
QUESTION_FIELDS = {"id", "ask", "yes_words", "no_words"}


def _check_role_finder(fail, finder: Any, data: Mapping[str, Any]) -> None:
    where = "'role_finder'"
    if not isinstance(finder, Mapping):
        fail(where, "expected a mapping")
    allowed = ROLE_FINDER_TEXTS | {"no_fit_skills", "questions", "fit", "negators"}
    for key in finder:
        if key not in allowed:
            fail(f"{where} key '{key}'", "unknown key")
    for key in sorted(allowed - set(finder)):
        fail(f"{where} key '{key}'", "missing")
    negators = finder["negators"]
    if not isinstance(negators, list) or not all(isinstance(n, str) and n.strip() for n in negators):
        fail(f"{where} key 'negators'", "expected a list of words (quote yes/no/on/off, which YAML reads as true/false)")
    skills = {s["id"] for s in data["skills"]}
    for skill in finder["no_fit_skills"]:
        if skill not in skills:
            fail(f"{where} key 'no_fit_skills'", f"'{skill}' is not an id in 'skills'")
    questions = set()
    for index, question in enumerate(finder["questions"]):
        at = f"{where} questions[{index}]"
        if not isinstance(question, Mapping) or set(question) != QUESTION_FIELDS:
            fail(at, f"needs exactly the fields {', '.join(sorted(QUESTION_FIELDS))}")
        if question["id"] in questions:
            fail(at, f"field 'id': duplicate id '{question['id']}'")
        questions.add(question["id"])
    entry_roles = {r["id"] for r in data["roles"] if r.get("level") == "entry"}
    for role, weights in finder["fit"].items():
        at = f"{where} fit '{role}'"
        if role not in entry_roles:
            fail(at, "not an id of an entry role")
        for question, weight in weights.items():
            if question not in questions:
                fail(f"{at} '{question}'", "not a question id")
            if not isinstance(weight, Mapping) or "reason" not in weight or not set(weight) <= {"if_yes", "if_no", "reason"}:
                fail(f"{at} '{question}'", "expected {if_yes: points, if_no: points, reason: text}")
            if not all(isinstance(weight.get(k, 0), int) for k in ("if_yes", "if_no")):
                fail(f"{at} '{question}'", "points must be whole numbers")
