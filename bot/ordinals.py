"""Words people use to pick an item from a list ("the second one", "3rd", "last")."""
from __future__ import annotations

from typing import Optional

LAST = -1

ORDINALS = {
    "first": 1, "1st": 1, "one": 1, "1": 1,
    "second": 2, "2nd": 2, "two": 2, "2": 2,
    "third": 3, "3rd": 3, "three": 3, "3": 3,
    "fourth": 4, "4th": 4, "four": 4, "4": 4,
    "fifth": 5, "5th": 5, "five": 5, "5": 5,
    "sixth": 6, "6th": 6, "six": 6, "6": 6,
    "seventh": 7, "7th": 7, "seven": 7, "7": 7,
    "eighth": 8, "8th": 8, "eight": 8, "8": 8,
    "last": LAST, "final": LAST,
    # Hinglish, as typed in Roman script ("doosra wala").
    "pehla": 1, "pehli": 1, "doosra": 2, "doosri": 2, "dusra": 2, "dusri": 2,
    "teesra": 3, "teesri": 3, "tisra": 3, "chautha": 4, "chauthi": 4, "aakhri": LAST, "akhri": LAST,
}
# The words that say "which place in a list" by themselves (not "one", "two": "which of the two").
ORDINAL_WORDS = tuple(w for w in ORDINALS if not w.isdigit()
                      and w not in ("one", "two", "three", "four", "five", "six", "seven", "eight"))


def position(text: Optional[str]) -> Optional[int]:
    """1-based position named by `text` (LAST for the last item), or None."""
    for word in (text or "").lower().replace("#", " ").split():
        if word in ORDINALS:
            return ORDINALS[word]
    return None
