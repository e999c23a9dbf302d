"""Entity-ruler patterns for a routine named the way people point at one, not by its synonyms.

A stranger rarely says a routine's title. They say "the short one", "the calming version", "the
one with the jar", "the 15 minute one" or "the 26 step thing". So a routine is also named by:
- one of its own `words` (content/routines.yml) before a word for a routine, with at most one
  word between that is no stop word (unless listed in `fillers`) and no routine's word ("the
  quick little one", "the full back one");
- a word for a routine (not "massage": "a massage for his back" names none), a linking word
  and, within two more words, one of its own words ("the one with the jar");
- its length: a number of minutes before a word for a routine names the routine nearest in
  length, if no further than `minutes_apart`; a number of steps names the one with that many;
- its place in the list of routines the assistant shows: "the second one", "the last one".
Words are single words, matched by their lemma norms as the phrase patterns are ("the shorter one").
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.lang.en.stop_words import STOP_WORDS

from massage_coach.domain.content import Content
from massage_coach.domain.numbers import ORDINALS, spoken
from massage_coach.nlu.language import build_pipeline

# The largest number of minutes or steps that names a routine (numbers.spoken says up to 59).
LARGEST_NUMBER = 59


def routine_patterns(content: Content) -> List[Dict[str, Any]]:
    """Token patterns labelled "routine", each with the routine's id (empty without references)."""
    references = content.routine_references
    if not references:
        return []
    nlp = build_pipeline()

    def norms(phrases: List[str]) -> List[str]:
        return sorted({token.norm_ for phrase in phrases for token in nlp(phrase) if not token.is_punct})

    own = {routine_id: norms(routine.get("words", [])) for routine_id, routine in content.routines.items()}
    every_word = sorted({word for words in own.values() for word in words})
    nouns = norms(references["nouns"])
    any_noun = sorted(set(nouns) | set(norms(references["massage_nouns"])))
    # A word between: no punctuation, number, routine word or noun, nor a stop word unless the
    # content allows it ("back" is one to spaCy: "the full back one").
    breaks = (STOP_WORDS - set(references.get("fillers", []))) | set(every_word) | set(any_noun)
    filler = {"IS_PUNCT": False, "LIKE_NUM": False, "LOWER": {"NOT_IN": sorted(breaks)}, "OP": "?"}
    gap = {"IS_PUNCT": False, "OP": "?"}
    patterns: List[Dict[str, Any]] = []

    def add(routine_id: str, pattern: List[Dict[str, Any]]) -> None:
        patterns.append({"label": "routine", "pattern": pattern, "id": routine_id})

    for routine_id, words in own.items():
        if not words:
            continue
        add(routine_id, [{"NORM": {"IN": words}}, filler, {"NORM": {"IN": any_noun}}])
        add(routine_id, [{"NORM": {"IN": nouns}}, {"LOWER": {"IN": references["linkers"]}}, gap, gap,
                         {"NORM": {"IN": words}}])
    # Its place in the list the assistant shows ("the second one", "the last one on the list").
    places = [*ORDINALS[1:len(own) + 1], "last"]
    for place, routine_id in zip(places, [*own, list(own)[-1]]):
        add(routine_id, [{"LOWER": place}, {"NORM": {"IN": nouns}}])
    # Each routine's length in whole minutes, as the routine list says it ("about 46 minutes").
    lengths = {routine_id: round(sum(step["duration_s"] for step in routine["steps"]) / 60)
               for routine_id, routine in content.routines.items()}
    minute_words = norms(references["minutes"])
    step_words = norms(references["steps"])
    for number in range(1, LARGEST_NUMBER + 1):
        said = [str(number), spoken(number)] if " " not in spoken(number) else [str(number)]
        nearest = _nearest_in_minutes(lengths, number, references["minutes_apart"])
        if nearest:
            add(nearest, [{"LOWER": {"IN": said}}, {"ORTH": "-", "OP": "?"}, {"NORM": {"IN": minute_words}},
                          filler, {"NORM": {"IN": any_noun}}])
        for routine_id, routine in content.routines.items():
            if len(routine["steps"]) == number:
                add(routine_id, [{"LOWER": {"IN": said}}, {"ORTH": "-", "OP": "?"}, {"NORM": {"IN": step_words}},
                                 filler, {"NORM": {"IN": any_noun}}])
    return patterns


def _nearest_in_minutes(lengths: Dict[str, int], minutes: int, most_apart: int) -> Optional[str]:
    routine_id = min(lengths, key=lambda candidate: abs(lengths[candidate] - minutes))
    return routine_id if abs(lengths[routine_id] - minutes) <= most_apart else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NamedRoutineIntent(GraphComponent):
    """A routine named beside everyday tiredness or tension, or alone, is a request to start it;
    so is one named right after a verb of starting, whatever else the message asks.

    "She had a long day, do the calming one" sits between muscle tension and a routine start for
    the classifier; the tension answer would only say "go ahead" and offer the routines, so the
    routine the message named starts (its screening asks about the person's health). A message the
    classifier could not place that names a routine ("osteo one") asks for it too. A name of one
    word does not count: "help him relax" is no request for the relaxing routine. Runs after
    SafetyFirstIntent: a reported condition has already made the message a safety question.

    Asked about a routine ("what does the calming one involve?") the classifier chooses the routine
    list, which then describes that routine; but "please do the relaxing one", "kindly commence the
    osteochondrosis routine" or "start the fast one for home", asked in the same words, want it
    started: a routine named right after one of `start_words` (with at most a determiner and one
    more word between: "start the fast one for home") is a start. "does"/"did" are left out: "what
    does the calming one involve" asks. The other way round, a start the classifier chose for a
    routine named right after one of `describe_words` ("tell me about the classic one", "what's the
    quick massage like") asks about it: the routine list, which describes it.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"start_intent": "start_routine", "intents": ["muscle_tension", "nlu_fallback"],
                "list_intent": "list_routines",
                "start_words": ["start", "begin", "commence", "do", "run", "try", "go with", "go for",
                                "go ahead with", "kick off", "launch"],
                "describe_words": ["tell me about", "tell me more about", "describe", "explain", "what's",
                                   "what is", "whats", "how's", "how is", "what about", "info on", "details of"],
                "determiners": ["the", "that", "this", "your", "a", "with the"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._start_intent = config["start_intent"]
        self._intents = set(config["intents"])
        self._list_intent = config["list_intent"]
        self._after_start_word = self.right_before_a_name(config["start_words"], config["determiners"])
        self._after_describe_word = self.right_before_a_name(config["describe_words"], config["determiners"])

    @staticmethod
    def right_before_a_name(words: List[str], determiners: List[str]) -> re.Pattern:
        """One of `words` ending the text before a name, with at most a determiner and one more word between."""
        return re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})\s+"
                          rf"(?:(?:{'|'.join(map(re.escape, determiners))})\s+)?(?:[\w'-]+\s+)?$", re.IGNORECASE)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NamedRoutineIntent:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            # A name of more than one word: "relax" alone is a verb ("help him relax"), "the calming
            # one" or "osteo one" a routine.
            named = any(entity["entity"] == "routine" and len(message.get(TEXT, "")[
                entity["start"]:entity["end"]].split()) > 1 for entity in message.get(ENTITIES, []))
            before_names = [message.get(TEXT, "")[:entity["start"]] for entity in message.get(ENTITIES, [])
                            if entity["entity"] == "routine"]
            chosen = intent.get(INTENT_NAME_KEY)
            if (named and chosen in self._intents) or (chosen == self._list_intent and any(
                    self._after_start_word.search(before) for before in before_names)):
                chosen = self._start_intent
            elif chosen == self._start_intent and any(
                    self._after_describe_word.search(before) for before in before_names):
                chosen = self._list_intent
            if chosen != intent.get(INTENT_NAME_KEY):
                message.set(INTENT, {INTENT_NAME_KEY: chosen,
                                     PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 1.0)},
                            add_to_output=True)
        return messages
