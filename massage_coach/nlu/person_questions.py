"""Whether one may massage a person, asked with nothing else ("can I massage my wife?").

The classifier cannot place such a message: its training examples ask it with a condition ("can
I massage my pregnant wife", a safety question) or about a part of the body ("can I massage the
spine", anatomy). Training examples of the bare question taught it to take remarks such as "make
him relax" for questions too. So a rule decides, after the classifier: a message it could not
place (or only weakly took for out of scope), asks (a question mark or a word such as "can", "ok",
"safe") and has a massage word and a person (content/recognition.yml's `people`) is a safety
question that asks whether to go ahead, with nothing reported: the answer is the go-ahead and the
conditions to rule out first (the safety answer for "so can I massage her?" with nothing told).
"She loves a good rub" stays as it was.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from massage_coach.domain.content import fingerprint, load_content
from massage_coach.domain.safety import GO_AHEAD_ENTITY
from massage_coach.nlu.components import CHECK_CONDITION_INTENT, FALLBACK_INTENT, JsonStateComponent
from massage_coach.settings import DEFAULT_CONTENT_DIR

WORD = re.compile(r"[a-z]+")
OUT_OF_SCOPE_INTENT = "out_of_scope"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MassagePersonQuestion(JsonStateComponent):
    """An unplaced message about massaging a person becomes a safety question (see the module).

    Trained state: the words for people from content/, so a model runs without it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `massage_words`: the recipient verbs that mean a massage ("give", "treat" say nothing alone).
        # `unsure_out_of_scope`: "out of scope" below this is unplaced too ("can my husband massage me"
        # sits between topics); a sure one stays ("can you book me a massage for my wife").
        return {"content_dir": DEFAULT_CONTENT_DIR, "massage_words": ["massage", "massaging", "rub", "rubbing"],
                "asking_words": ["can", "could", "may", "should", "ok", "okay", "safe", "allowed", "alright",
                                 "fine"], "unsure_out_of_scope": 0.5}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> str:
        return fingerprint(config.get("content_dir", DEFAULT_CONTENT_DIR))

    def use_state(self, people: Any) -> None:
        self._people = set(people or [])
        self._massage_words = set(self._config["massage_words"])
        self._asking_words = set(self._config["asking_words"])

    def train(self, training_data: TrainingData) -> Resource:
        people = load_content(self._config["content_dir"]).recognition["people"]
        return self.persist(sorted({word for words in people.values() for word in words}))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            unsure_out_of_scope = (intent.get(INTENT_NAME_KEY) == OUT_OF_SCOPE_INTENT and
                                   (intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < self._config["unsure_out_of_scope"])
            if intent.get(INTENT_NAME_KEY) != FALLBACK_INTENT and not unsure_out_of_scope:
                continue
            text = (message.get(TEXT) or "").lower()
            words = set(WORD.findall(text))
            asks = "?" in text or bool(words & self._asking_words)
            if asks and words & self._massage_words and words & self._people:
                message.set(INTENT, {INTENT_NAME_KEY: CHECK_CONDITION_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                            add_to_output=True)
                go_ahead = {"entity": GO_AHEAD_ENTITY, "start": 0, "end": len(text), "value": GO_AHEAD_ENTITY,
                            "confidence_entity": 1.0, "extractor": self.__class__.__name__}
                message.set(ENTITIES, [*message.get(ENTITIES, []), go_ahead], add_to_output=True)
        return messages
