"""The assistant's own short wording: verdict labels, rule labels, lists in a sentence.

Facts come from content/ and whole answers from domain.yml's responses; these are the
few labels that payloads carry so that no front end has to make them up.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Mapping

from massage_coach.domain.content import Content

VERDICT_LABELS = {
    "stop": "Don't massage",
    "caution": "Only a professional, with the physician's approval",
    "unknown": "Can't be cleared here: ask a physician",
    "ok": "Go ahead gently",
    "emergency": "Emergency: stop now and call for help",
}
RULE_LABELS = {
    "never": "Never press",
    "gently": "Gently only",
    "not_if_injured": "Not if injured",
    "recommended": "Good to massage",
    "deep_ok": "Firmer pressure is fine",
}
HEADS_UP = "Nearly time for the next step."
# Letters two words must share at their start to count as the same word ("pregnant", "pregnancy").
STEM_LENGTH = 5
UNMATCHED_CONDITION_ADVICE = (
    "I couldn't match that to a condition I know, so I can't clear it. Please ask a physician before you massage."
)


def heard_advice(terms: Iterable[str]) -> str:
    """The answer's reason when the user named something medical the guidance does not cover."""
    return (f"I heard {join_words(repr(t) for t in terms)}: the guidance I follow does not cover it, so I can't "
            "clear it. Please ask a physician before you massage.")


def taken_as(content: Content, said: Mapping[str, str], ids: Iterable[str]) -> List[str]:
    """"I took 'gout' as arthritis.": the user's words for a condition whose name they did not use,
    so the answer shows what it understood (and a wrong reading can be corrected)."""
    return [f"I took '{said[c]}' as {in_sentence(content.conditions[c]['name'])}." for c in ids
            if c in said and not shares_a_stem(said[c], content.conditions[c]["name"])]


def shares_a_stem(words: str, name: str) -> bool:
    """Whether any word of `words` begins like a word of `name` ("pregnant", "Pregnancy")."""
    stems = {w[:STEM_LENGTH] for w in re.findall(r"[a-z]+", name.lower()) if len(w) >= STEM_LENGTH}
    return any(w[:STEM_LENGTH] in stems for w in re.findall(r"[a-z]+", words.lower()))


def join_words(words: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def sentence_list(lines: Iterable[str]) -> str:
    """One bullet per line, for chat text."""
    return "\n".join(f"- {line}" for line in lines)


def in_sentence(name: str) -> str:
    """Mid-sentence, "Fever or raised temperature" reads as "fever or raised temperature"."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def condition_names(content: Content, ids: Iterable[str]) -> str:
    return join_words(in_sentence(content.conditions[c]["name"]) for c in ids)


def stop_names(content: Content, excluding: Iterable[str] = ()) -> str:
    excluded = set(excluding)
    return condition_names(content, [c for c in content.conditions_with_verdict("stop") if c not in excluded])


def names(content: Content, section: str, ids: Iterable[str]) -> Dict[str, str]:
    """Display names of `ids` in a content section ("conditions", "zones", ...)."""
    entries = getattr(content, section)
    return {i: entries[i].get("name") or entries[i].get("title") for i in ids}


def title_in_sentence(title: str) -> str:
    return title.lower() if title[1:2].islower() else title


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def unique(ids: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(ids))
