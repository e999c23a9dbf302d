"""Whom a message is about: what is said about one person's health is not the next person's.

"My wife is pregnant", then "his shoulders are tight": the second message is about someone
else, so her stop must not be his answer, and his go-ahead must not clear her. A message
is about someone else only when it names people of one kind (content/recognition.yml
`people`: her words or his words) and none of the kind the standing conditions were said
about; "can he massage her?" names both, so it changes nothing (the conservative reading).
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, Optional

WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


class People:
    """The kinds of person a message names (e.g. "female", "male"), from their words."""

    def __init__(self, words_by_kind: Dict[str, Iterable[str]]) -> None:
        self.kind_of = {word.lower(): kind for kind, words in words_by_kind.items() for word in words}

    def named_in(self, text: str) -> FrozenSet[str]:
        # "wife's" and "wife" alike: the possessive is cut by the word pattern.
        return frozenset(self.kind_of[w] for w in WORD.findall(text.lower().replace("’", "'")) if w in self.kind_of)


def only(kinds: FrozenSet[str]) -> Optional[str]:
    """The one kind named, or None when none or several are."""
    return next(iter(kinds)) if len(kinds) == 1 else None


def someone_else(person: Optional[str], named: FrozenSet[str]) -> bool:
    """Whether a message names only people of another kind than the person talked about so far."""
    return bool(person and named) and person not in named
