"""Build the project's spaCy pipeline: English tokenizer, lookup lemmatizer, and an entity
ruler whose patterns come from bot/knowledge.yml.

spaCy's pretrained English models cannot be downloaded here, so the pipeline is assembled
from official packages (spacy + spacy-lookups-data). Rasa loads it by path (config.yml).

Usage: python -m bot.spacy_pipeline OUT_DIR
The directory is rewritten only when its content would change, so `make` retrains only then.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import spacy

from bot import knowledge
from bot.ordinals import ORDINALS

STAMP = "patterns.sha256"


def patterns(kb: knowledge.Knowledge) -> list:
    found = kb.entity_patterns()
    found += [{"label": "position", "pattern": [{"LOWER": word}]} for word in ORDINALS
              if not word.isdigit() and word not in {"one", "two", "three"}]
    return found


def build(out_dir: Path) -> bool:
    """Write the pipeline to out_dir; returns False when it was already up to date."""
    found = patterns(knowledge.load())
    digest = hashlib.sha256(json.dumps([spacy.__version__, found], sort_keys=True).encode()).hexdigest()
    stamp = out_dir / STAMP
    if stamp.exists() and stamp.read_text() == digest:
        return False
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()  # loads the lemma tables; it would also empty the ruler, so patterns go after
    ruler.add_patterns(found)
    nlp.meta["name"] = "bpo_careers"
    nlp.meta["description"] = "Blank English + lookup lemmas + entity patterns from bot/knowledge.yml"
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    (tmp / STAMP).write_text(digest)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy-en-bpo")
    changed = build(target)
    print(f"spaCy pipeline {'built' if changed else 'up to date'}: {target}")
