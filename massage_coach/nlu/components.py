"""Rasa NLU components built on the spaCy pipeline in language.py.

- SpacyLemmaTokenizer: tokens with lookup lemmas, so featurizers see "knead" for "kneading".
- ContentEntityExtractor: condition / technique / zone / body_part / routine entities from
  phrase patterns generated from content/ at training time and stored in the model;
  a negated condition carries role "negated".
- NotUnderstoodFallback: blank text is "not understood"; gibberish or another language is
  out of scope, whatever a classifier guessed.
- SafetyFirstIntent: a message that reports a condition is answered as a safety question,
  whatever else the classifier thought it was ("what is kneading? she is pregnant").
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.tokens import Span

from massage_coach.domain.content import ENTITY_SECTIONS, fingerprint, load_content
from massage_coach.domain.safety import CLEARANCE_ENTITY, GO_AHEAD_ENTITY, NEGATED_ROLE, TENSION_ROLE
from massage_coach.nlu import routine_names
from massage_coach.nlu.language import (
    MAX_TYPO_LENGTH,
    MIN_TYPO_LENGTH,
    ROUTINE_REQUEST_PATTERNS,
    build_pipeline,
    english_lexicon,
    number_words,
    one_edit_away,
    parse_number,
    patterns_from_phrases,
)

# Words that make "the last step" the one before: "back to the last step", "the last step we did".
# "we" and "you" say so only after it ("can we skip to the end" is the end).
BEFORE_WORDS = {"back", "previous", "again"}
BEFORE_WORDS_AFTER = BEFORE_WORDS | {"we", "you", "did", "before"}


def span_says_before(span: Span) -> bool:
    """Is "the last step" the one before, as a word just before or after it says?"""
    return (any(token.lower_ in BEFORE_WORDS for token in span.doc[max(0, span.start - 3):span.start])
            or any(token.lower_ in BEFORE_WORDS_AFTER for token in span.doc[span.end:span.end + 2]))


CHECK_CONDITION_INTENT = "check_condition"
# Entities that say something about the person's health (medical_term and health_status
# come from massage_coach/nlu/medical.py): a message with one gets the safety answer.
HEALTH_ENTITIES = ("condition", "medical_term", "health_status")
# A health word in an everyday sense ("dead on his feet"): talk about the person, nothing medical.
EVERYDAY_ENTITY = "everyday_sense"
BLANK_TOKEN = "__blank__"
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
DEFAULT_CONTENT_DIR = "content"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyLemmaTokenizer(Tokenizer):
    """spaCy's English tokenizer; each token's lemma is its lower-cased lookup lemma."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._nlp = build_pipeline()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyLemmaTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        doc = self._nlp(message.get(attribute) or "")
        tokens = [Token(t.text, t.idx, lemma=t.norm_) for t in doc if not t.is_space]
        # A blank message still needs one token: classifiers fail on zero features.
        return tokens or [Token(BLANK_TOKEN, 0, lemma=BLANK_TOKEN)]


class JsonStateComponent(GraphComponent):
    """A component whose trained state is one JSON value stored in the model."""

    STATE_FILE = "state.json"

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, state: Any = None
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.use_state(state)

    def use_state(self, state: Any) -> None:
        """Sets the component up from its trained state (None before training)."""
        raise NotImplementedError

    def persist(self, state: Any) -> Resource:
        self.use_state(state)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.STATE_FILE).write_text(json.dumps(state))
        return self._resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> JsonStateComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> JsonStateComponent:
        with model_storage.read_from(resource) as directory:
            state = json.loads((directory / cls.STATE_FILE).read_text())
        return cls(config, model_storage, resource, state)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ContentEntityExtractor(JsonStateComponent, EntityExtractorMixin):
    """Extracts the entities named in content/, with negation of conditions.

    Trained state: the entity-ruler patterns, so a model runs without content/.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `labels`: the entities it extracts (conditions can be left to ClinicalEntityExtractor).
        return {"content_dir": DEFAULT_CONTENT_DIR, "labels": list(ENTITY_SECTIONS)}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # Patterns come from content/, which is not graph input, and from routine_names.py's rules:
        # an edit of either must retrain. Rasa calls this with the config as written in config.yml.
        code = hashlib.sha256(Path(routine_names.__file__ or "").read_bytes()).hexdigest()
        return fingerprint(config.get("content_dir", DEFAULT_CONTENT_DIR)) + code

    def use_state(self, patterns: Optional[List[Dict[str, str]]]) -> None:
        self._nlp = build_pipeline([*(patterns or []), *ROUTINE_REQUEST_PATTERNS])

    def train(self, training_data: TrainingData) -> Resource:
        content = load_content(self._config["content_dir"])
        labels = self._config["labels"]
        patterns = patterns_from_phrases({label: list(content.phrases(label)) for label in labels})
        return self.persist(patterns + (routine_names.routine_patterns(content) if "routine" in labels else []))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = self.extract(message.get(TEXT) or "")
            if entities:
                known = message.get(ENTITIES, [])
                message.set(ENTITIES, known + self.add_extractor_name(entities), add_to_output=True)
        return messages

    def extract(self, text: str) -> List[Dict[str, Any]]:
        entities = []
        for span in self._nlp(text).ents:
            label = span.label_
            value: Any
            if label == "last_step":
                if span_says_before(span):
                    continue  # "back to the last step we did": the one before, not the end
                value = "last"
            elif label == "minutes":
                value = int(span.ent_id_) if span.ent_id_ else parse_number(span[0].text)
                if value is None:
                    continue
            elif label == "number":
                span = number_words(span)  # "step 5" -> "5", "fourth step" -> "fourth"
                value = parse_number(span.text)
                if value is None:
                    continue
            else:
                value = span.ent_id_
            entity = {"entity": label, "start": span.start_char, "end": span.end_char, "value": value,
                      "confidence_entity": 1.0}
            if label == "condition" and span._.negated:
                entity["role"] = NEGATED_ROLE
            entities.append(entity)
        return entities


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NotUnderstoodFallback(JsonStateComponent):
    """Blank messages go to the fallback; messages of mostly unknown words are out of scope.

    A classifier always picks some intent; for "asdfgh" or a question in Spanish it
    picks one with confidence. A word is known when it is English (spaCy's lookup
    tables), in the training examples, or part of an entity.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `misspelt_command_words`: commands are short; a typo in a long message is no sign.
        return {"min_known_ratio": 0.5, "misspelt_command_words": 3}

    def use_state(self, vocabulary: Optional[List[str]]) -> None:
        self._vocabulary = set(vocabulary or [])
        self._english = english_lexicon()

    def train(self, training_data: TrainingData) -> Resource:
        return self.persist(sorted({
            token.lemma
            for example in training_data.intent_examples
            for token in example.get(TOKENS_NAMES[TEXT], [])
        }))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not (message.get(TEXT) or "").strip():
                intent = FALLBACK_INTENT
            elif not self._mostly_known_words(message):
                intent = OUT_OF_SCOPE_INTENT  # its answer says: English only, and what I can do
            elif self._misspelt_command(message):
                intent = FALLBACK_INTENT  # its answer: say it again, and the commands that work
            else:
                continue
            message.set(INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
        return messages

    def _mostly_known_words(self, message: Message) -> bool:
        in_entity = {i for e in message.get(ENTITIES, []) for i in range(e["start"], e["end"])}
        words = [t for t in message.get(TOKENS_NAMES[TEXT], []) if t.text.isalpha()]
        if not words:
            return False
        known = sum(t.start in in_entity or self._known(t.lemma) for t in words)
        return known / len(words) >= self._config["min_known_ratio"]

    def _misspelt_command(self, message: Message) -> bool:
        """A short message the classifier could place only as out of scope, with a word that is
        only a typo of a training word ("pasue"): something we know, misspelt; not another topic."""
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != OUT_OF_SCOPE_INTENT:
            return False
        words = [t.lemma for t in message.get(TOKENS_NAMES[TEXT], []) if t.text.isalpha()]
        return len(words) <= self._config["misspelt_command_words"] and any(
            word not in self._vocabulary and word not in self._english and self._known(word) for word in words)

    def _known(self, word: str) -> bool:
        if word in self._vocabulary or word in self._english:
            return True
        # A typo ("contineu", "pasue") is a word one edit or swap from a known one. Long
        # "words" are not typos, and their edits would cost seconds ("x" * 20,000).
        return MIN_TYPO_LENGTH <= len(word) <= MAX_TYPO_LENGTH and any(
            candidate in self._vocabulary for candidate in one_edit_away(word)
        )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyFirstIntent(GraphComponent):
    """Routes messages about the person's conditions to check_condition.

    A reported condition always does ("what is kneading? she is pregnant"); a message
    that only rules conditions out ("no fever") does when the classifier took it for a
    bare answer such as "no", so that the answer names what was ruled out.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `routine_conditions`, what a routine is made for (an ordinary sore back, the
        # osteochondrosis routine), do not turn a routine request into a safety question:
        # "something for lower back tension" asks for a routine, whose screening (and
        # professional check) then asks; the entity stays for the dialogue.
        # Likewise "healthy, just stressed" is the triage's go-ahead (action_triage), no report.
        # Back pain stays a report even when the classifier hears tension: "neck pain from
        # gaming" must get the question; "just tension" answers it only while it is open
        # (the engine knows, from the classifier's ranking).
        # A message the classifier could not place, took for no massage talk or for the list of when not
        # to massage, that talks about the person in everyday senses ("he's working like a dog and is dead
        # on his feet") gets the safety answer (nothing medical said: go ahead, with the list to check),
        # not "I can't help". So does a question beside such words ("she's expecting guests, how long
        # should it last"): the health-looking word is answered first, as not medical; routine commands
        # stay commands.
        # Said as the person's own ("i have osteochondrosis, can my daughter do massage for me"),
        # a routine's condition is a report all the same: one of these words just before it says so.
        # Tension heard without pain beside a question on how to massage ("she carries her stress in
        # her upper back, how should I work it") reports nothing against a massage: the question is
        # answered (the triage's go-ahead is for tension told as the news).
        # A message that rules out several conditions ("Skin intact, no rashes or sores. No operations in past
        # year.") is about the person's health whatever the classifier took it for: it gets the safety answer.
        # So does a statement, no question, that rules one out and that the classifier placed nowhere with
        # confidence ("Service user denies any numbness or tingling...", "Obs checked. Afebrile."); a routine
        # to start stays a command.
        return {"reported_by": ["have", "has", "had", "got", "suffer", "suffers", "suffering", "diagnosed", "wrote",
                                "confirmed", "found"],
                "rules_out_several": 2,
                "statement_rules_out_below": 0.6,
                "question_words": ["how", "what", "which", "where", "when", "why", "who", "can", "could", "should",
                                   "would", "will", "is", "are", "do", "does", "may", "shall", "show", "tell",
                                   "list", "give", "start", "begin", "let's", "lets"],
                "bare_answer_intents": ["deny", "affirm", FALLBACK_INTENT, "out_of_scope"],
                "everyday_intents": [FALLBACK_INTENT, "out_of_scope", "list_contraindications", "muscle_tension",
                                     "ask_duration", "ask_preparation", "ask_technique", "ask_zone", "ask_anatomy",
                                     "ask_pressure", "ask_stop_signs", "ask_aftercare", "list_routines",
                                     "start_routine"],
                "routine_conditions": ["back_pain", "osteochondrosis"],
                "routine_intents": ["list_routines", "start_routine"],
                "triage_conditions": ["healthy"],
                "triage_intents": ["muscle_tension"],
                "tension_question_intents": ["ask_zone", "ask_technique", "ask_duration", "ask_preparation",
                                             "ask_anatomy", "ask_pressure", "ask_stop_signs", "ask_aftercare"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._bare_answer_intents = set(config["bare_answer_intents"])
        self._routine_conditions = set(config["routine_conditions"])
        self._routine_intents = set(config["routine_intents"])
        self._triage_conditions = set(config["triage_conditions"])
        self._triage_intents = set(config["triage_intents"])
        self._everyday_intents = set(config["everyday_intents"])
        self._reported_by = set(config["reported_by"])
        self._tension_question_intents = set(config["tension_question_intents"])
        self._rules_out_several = config["rules_out_several"]
        self._statement_rules_out_below = config["statement_rules_out_below"]
        self._question_words = set(config["question_words"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyFirstIntent:
        return cls(config)

    def _unsure_statement(self, message: Message) -> bool:
        """No question or request, and an intent the classifier was not sure of."""
        confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0
        return confidence < self._statement_rules_out_below and self._statement(message)

    def _statement(self, message: Message) -> bool:
        """No question or request."""
        text = (message.get(TEXT) or "").lower()
        first_words = {sentence.split()[0] for sentence in text.replace("!", ".").split(".") if sentence.split()}
        return "?" not in text and not first_words & self._question_words

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            # "No, he's perfectly healthy" stays the answer "no" it is.
            conditions = [e for e in message.get(ENTITIES, []) if e["entity"] in HEALTH_ENTITIES
                          and not (e["entity"] == "health_status" and intent == "deny")]
            if intent in self._routine_intents:
                text = (message.get(TEXT) or "").lower()
                conditions = [e for e in conditions if e["value"] not in self._routine_conditions
                              or self._reported_by & set(text[: e.get("start", 0)].split()[-2:])]
            if intent in self._triage_intents:
                conditions = [e for e in conditions if e["value"] not in self._triage_conditions]
            if intent in self._tension_question_intents:
                conditions = [e for e in conditions if e.get("role") != TENSION_ROLE]
            reports = any(e.get("role") != NEGATED_ROLE for e in conditions)
            ruled_out = {e["value"] for e in conditions if e.get("role") == NEGATED_ROLE}
            rules_out = bool(conditions) and (intent in self._bare_answer_intents
                                              or len(ruled_out) >= self._rules_out_several
                                              or (bool(ruled_out) and intent in self._everyday_intents
                                                  and intent != "start_routine" and self._unsure_statement(message))
                                              # a question's intent, and no question asked: "The scan came back
                                              # clear, no sign of any cancer. So I thought I'd treat her to a back rub."
                                              or (bool(ruled_out) and intent in self._tension_question_intents
                                                  and self._statement(message)))
            everyday = intent in self._everyday_intents and any(
                e["entity"] == EVERYDAY_ENTITY for e in message.get(ENTITIES, []))
            # "So can i massage her or not", "the cardiologist gave him the all clear": the safety answer's.
            about_the_answer = any(e["entity"] in (GO_AHEAD_ENTITY, CLEARANCE_ENTITY)
                                   for e in message.get(ENTITIES, []))
            if (reports or rules_out or everyday or about_the_answer) and intent != CHECK_CONDITION_INTENT:
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: CHECK_CONDITION_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                    add_to_output=True,
                )
        return messages
