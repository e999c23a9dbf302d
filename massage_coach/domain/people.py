"""Whom a message is about: what is said about one person's health is not the next person's.

"My wife is pregnant", then "his shoulders are tight": the second message is about someone
else, so her stop must not be his answer, and his go-ahead must not clear her. People are told
apart by kind (content/recognition.yml `people`: her words, his words, the speaker's) and, when
named by a noun, by who they are to the speaker ("my mum", then "my wife": same kind, someone
else; `same_person` groups the words for one relation; "her mother" is a relative, not the one
massaged). A pronoun names only a kind: "her back" after "my wife" is still the wife. The one
massaged, when a message says so ("can my husband massage me", "I'm massaging my husband"), is
the one it is about. A message that names several people changes nothing (the conservative reading).
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence

WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
# A person named by a relation is "<kind>:<relation>"; by a pronoun, only "<kind>".
SEPARATOR = ":"
# "I" is the speaker as the subject of a state ("I'm pregnant", "I have a fever"), not in
# "can I massage her" (there the one massaged is named after the verb).
SPEAKER_STATE = ("m", "am", "ve", "have", "had", "was", "feel")
# A relation owned by someone else ("her mother", "my wife's dad") is that person's relative.
OWNED_BY_OTHERS = ("her", "his", "their", "s")
# Words between a massage verb and the one massaged: "rub his back", "give my wife a massage".
RECIPIENT_REACH = 2


class People:
    """The people a message names, as "<kind>" (a pronoun) or "<kind>:<relation>" (a noun)."""

    def __init__(self, recognition: Dict) -> None:
        self.kind_of = {word.lower(): kind for kind, words in recognition.get("people", {}).items() for word in words}
        self.pronouns = {word.lower() for word in recognition.get("person_pronouns", ())}
        self.relation_of = {word.lower(): group[0].lower() for group in recognition.get("same_person", ())
                            for word in group}
        self.massage_verbs = {word.lower() for word in recognition.get("recipient_verbs", ())}

    def named_in(self, text: str) -> FrozenSet[str]:
        # "wife's" and "wife" alike: the possessive is cut by the word pattern.
        words = WORD.findall(text.lower().replace("’", "'"))
        named = frozenset(person for i in range(len(words)) if (person := self._person(words, i)))
        recipient = self._recipient(words)
        # "Massage me", "massage my husband" say who; "massage her" is whoever "her" is.
        if recipient and (SEPARATOR in recipient or recipient == self.kind_of.get("me")):
            return frozenset({recipient})
        return named

    def _person(self, words: Sequence[str], i: int) -> Optional[str]:
        word = words[i]
        if word == "i":
            following = words[i + 1] if i + 1 < len(words) else ""
            return self.kind_of.get("me") if following in SPEAKER_STATE else None
        kind = self.kind_of.get(word)
        if kind is None or word in self.pronouns:
            return kind
        if i and words[i - 1] in OWNED_BY_OTHERS:
            return None  # "her mother had cancer": a relative of someone's, not the one massaged
        return f"{kind}{SEPARATOR}{self.relation_of.get(word, word)}"

    def _recipient(self, words: List[str]) -> Optional[str]:
        """The one massaged, named right after a massage verb: "massage me", "rub my wife's back"."""
        for i, word in enumerate(words):
            if word in self.massage_verbs:
                for j in range(i + 1, min(len(words), i + 2 + RECIPIENT_REACH)):
                    person = self._person(words, j)
                    if person:
                        return person
        return None


def kind_of(person: str) -> str:
    return person.split(SEPARATOR)[0]


def only(named: FrozenSet[str]) -> Optional[str]:
    """The one person named: the one relation named, or with none, the one kind; else None."""
    relations = {p for p in named if SEPARATOR in p}
    if relations:
        return next(iter(relations)) if len(relations) == 1 and {kind_of(p) for p in named} == {
            kind_of(next(iter(relations)))} else None
    return next(iter(named)) if len(named) == 1 else None


def known_as(person: Optional[str], named: FrozenSet[str]) -> Optional[str]:
    """The person talked about after a message about them: known more exactly when it names the
    relation ("my wife" after "she"), unchanged by a pronoun ("her" after "my wife")."""
    one = only(named)
    if one is None or (person and SEPARATOR not in one and same(person, one)):
        return person
    return one


def same(person: str, named: str) -> bool:
    """A person named again: the same relation, or a kind that fits (a pronoun for "my wife",
    or "my wife" for someone known so far only as "she")."""
    if SEPARATOR in person and SEPARATOR in named:
        return person == named
    return kind_of(person) == kind_of(named)


def someone_else(person: Optional[str], named: Iterable[str]) -> bool:
    """Whether a message names only people other than the person talked about so far. Relations
    decide over pronouns ("my mum says her back hurts" is about the mum)."""
    named = set(named)
    if not (person and named):
        return False
    relations = {p for p in named if SEPARATOR in p} or named
    return not any(same(person, p) for p in relations)
