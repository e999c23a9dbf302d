"""ClinicalEntityExtractor: what a message says about the person's health (issue 13).

Entities it gives:

- `condition`: a content id, from conditions.yml phrases or recognition.yml rules; role
  `negated` when ruled out ("no fever or rash"), `family` when someone else's ("her mother
  had cancer"), `tension` when back pain is only muscle tension ("tight shoulders");
  doubt never clears a condition ("not sure whether she has a fever"); `historical` when a
  condition that passes (conditions.yml `passes`) is told as past and over ("a fever last week");
- `medical_term`: anything medical no condition names ("lupus", "liver problems"), its value
  the words as heard, with the same roles; the answer is "unknown", naming it;
- `health_status` (value `healthy`): "he is healthy", "no medical issues";
- `go_ahead_question`: the message asks again whether to go ahead ("so can i massage her or not");
  after a safety answer, the answer stands and is said again;
- `doctor_clearance`: a doctor's clearance is told ("the cardiologist gave him the all clear"): not ours
  to give, the answer says so;
- `everyday_sense`: a health word in an everyday sense ("sick of work", "a pain in the neck"),
  its value the words; it says nothing about health (the answer to a safety question with
  nothing else is the go-ahead with the list to check) and routes nothing.

Trained state: the condition phrases, content/recognition.yml and the medical words drawn
from WordNet at training time, so a model runs without content/, NLTK or WordNet.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path
from typing import AbstractSet, Any, Dict, List, Optional, Set, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lookups import load_lookups

from massage_coach.domain.content import Content, fingerprint, load_content
from massage_coach.domain.safety import (
    CLEARANCE_ENTITY,
    FAMILY_ROLE,
    GO_AHEAD_ENTITY,
    HISTORICAL_ROLE,
    MEDICINE_GROUP,
    NEGATED_ROLE,
    TENSION_ROLE,
)
from massage_coach.nlu import wordnet_terms
from massage_coach.nlu.clinical import (
    CONDITION_LABEL,
    EVERYDAY_LABEL,
    HEALTH_LABEL,
    MEDICAL_TERM_LABEL,
    build_clinical_pipeline,
    norm_pipeline,
)
from massage_coach.nlu.components import DEFAULT_CONTENT_DIR, JsonStateComponent
from massage_coach.nlu.language import english_words, patterns_from_phrases
from massage_coach.nlu.wordnet_terms import nouns_in_lexfiles, nouns_under

LABELS = (CONDITION_LABEL, MEDICAL_TERM_LABEL, HEALTH_LABEL)
# Intents whose examples may talk about health ("is ibuprofen safe" is out of scope as a
# question, yet a medical word): their words may be medical.
HEALTH_INTENTS = ("check_condition", "list_contraindications", "out_of_scope")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ClinicalEntityExtractor(JsonStateComponent, EntityExtractorMixin):
    """Conditions, medical terms and health statements, each with its clinical context."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"content_dir": DEFAULT_CONTENT_DIR}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # The state depends on content/ and on how it is drawn from WordNet (this code):
        # either changing must retrain, whatever Rasa's cache holds.
        sources = (sys.modules[__name__], wordnet_terms)
        code = hashlib.sha256(b"".join(Path(m.__file__ or "").read_bytes() for m in sources))
        return fingerprint(config.get("content_dir", DEFAULT_CONTENT_DIR)) + code.hexdigest()

    def use_state(self, state: Optional[Dict[str, Any]]) -> None:
        self._nlp = build_clinical_pipeline(state) if state else None
        # Conditions that are over once over: only these are answered differently when past.
        self._passing = set(state.get("passing_conditions", ())) if state else set()
        # ... and those over within a year (a pregnancy) or told as over after years (a healed fracture):
        # passed only when told as years past.
        self._over_within_a_year = set(state.get("conditions_over_within_a_year", ())) if state else set()
        self._medicines = set(state.get("taken_drugs", ())) if state else set()

    def train(self, training_data: TrainingData) -> Resource:
        return self.persist(recogniser_state(load_content(self._config["content_dir"]), ordinary_words(training_data)))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            routines = [e for e in message.get(ENTITIES, []) if e["entity"] == "routine"]
            entities = self.extract(message.get(TEXT) or "", {i for e in routines for i in range(e["start"], e["end"])})
            if entities:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(entities), add_to_output=True)
        return messages

    def extract(self, text: str, taken: AbstractSet[int] = frozenset()) -> List[Dict[str, Any]]:
        """Entities of the text; none over the characters in `taken` (a routine's name:
        "the osteochondrosis routine" is no report of osteochondrosis)."""
        entities = []
        if self._nlp is None:
            raise RuntimeError("the clinical recogniser has no trained state: run `make train`")
        doc = self._nlp(text)
        for flag, name in ((doc._.go_ahead_again, GO_AHEAD_ENTITY), (doc._.doctor_clearance, CLEARANCE_ENTITY)):
            if flag:
                entities.append({"entity": name, "start": 0, "end": len(text), "value": name, "confidence_entity": 1.0})
        for span in doc._.everyday:
            if not taken & set(range(span.start_char, span.end_char)):
                entities.append({"entity": EVERYDAY_LABEL, "start": span.start_char, "end": span.end_char,
                                 "value": span.text.lower(), "confidence_entity": 1.0})
        for span in doc.ents:
            if span.label_ not in LABELS or taken & set(range(span.start_char, span.end_char)):
                continue
            if span.label_ == HEALTH_LABEL and (span._.negated or span._.family):
                continue  # "she isn't healthy", "her mother is healthy": says nothing applies
            value = span.text.lower() if span.label_ == MEDICAL_TERM_LABEL else span.ent_id_
            entity = {"entity": span.label_, "start": span.start_char, "end": span.end_char, "value": value,
                      "confidence_entity": 1.0}
            if span.label_ == MEDICAL_TERM_LABEL and value in self._medicines:
                entity["group"] = MEDICINE_GROUP
            if span._.family:
                entity["role"] = FAMILY_ROLE
            elif span._.negated:
                entity["role"] = NEGATED_ROLE
            elif span._.historical and not span._.lasting and (span.ent_id_ in self._passing or (
                    span._.long_past and span.ent_id_ in self._over_within_a_year)):
                entity["role"] = HISTORICAL_ROLE
            elif span._.tension:
                entity["role"] = TENSION_ROLE
            entities.append(entity)
        return entities


def recogniser_state(content: Content, everyday_words: Set[str]) -> Dict[str, Any]:
    """What the recogniser needs at run time, from content/ and WordNet (read now, at training).
    `everyday_words` (the other intents' words) never count as medical terms alone."""
    recognition = content.recognition
    classes = recognition["word_classes"]
    medical = recognition["medical_terms"]
    everyday = set(everyday_words) | {w.lower() for w in medical["ordinary"]}
    condition_phrases = [phrase for _, phrase in content.phrases("condition")]
    terms = british_variants(medical_words(medical, everyday | {p.lower() for p in condition_phrases}),
                             medical.get("british_spellings", [])) + medical.get("extra_terms", [])
    # Word classes widened by WordNet: "paramedic"... are health workers (health_professional.n.01).
    # As exact words ("nursing" her baby is no nurse), and no named people ("Parkinson", a physician).
    widened = {name: sorted(set(classes.get(name, []))
                            | {f"^{w}" for w in nouns_under(roots, instances=False) if " " not in w})
               for name, roots in recognition.get("word_class_roots", {}).items()}
    # ... and by lexicographer files, as exact nouns never adjectives, minus medical words and the words
    # that begin one ("cup", "election": what a craze is for, as in "cup fever"; not "hay" or "trench",
    # whose fevers are real, nor "slight", "a slight fever").
    medical_starts = {w for term in [*terms, *condition_phrases] for w in term.lower().split()[:1]}
    widened.update({name: sorted(set(classes.get(name, [])) | {f"^{w}" for w in nouns_in_lexfiles(lexnames, False)
                                                                if w not in medical_starts})
                    for name, lexnames in recognition.get("word_class_lexfiles", {}).items()})
    recognition = {**recognition, "word_classes": {**classes, **widened}}
    return {
        "patterns": patterns_from_phrases({CONDITION_LABEL: list(content.phrases("condition"))}),
        "passing_conditions": sorted(c for c, entry in content.conditions.items() if entry.get("passes")),
        "conditions_over_within_a_year": sorted(c for c, entry in content.conditions.items()
                                                if entry.get("over_within_a_year") or entry.get("over_after_years")),
        "recognition": recognition,
        "medical_terms": terms,
        # Taken as a medicine ("she's on lithium"): any sense of the word is a drug.
        "taken_drugs": medical_words(medical, everyday, medical.get("taken_drug_roots", []), any_sense=True)
        if medical.get("taken_drug_roots") else [],
        "organs": sorted(set(nouns_under(medical["organ_roots"])) | set(recognition["word_classes"]["organ"])),
        # ... of which internal organs and glands, had with no article, name an illness ("she has thyroid").
        "had_organs": sorted(nouns_under(medical["had_organ_roots"])) if medical.get("had_organ_roots") else [],
        "specialists": sorted(w for w in nouns_under(medical.get("consulted_roots", []), instances=False)
                              if w.isalpha()),
        # Word classes widened by WordNet senses ("jacuzzi": a thing), minus the class's own
        # exceptions: a thermometer's reading is the person's.
        "sense_members": {name: sorted(set(nouns_in_lexfiles(lexnames)) - set(classes["temperature"]))
                          for name, lexnames in recognition.get("word_class_senses", {}).items()},
        "typo_vocabulary": sorted(single_words(condition_phrases, *recognition["word_classes"].values())),
        # Never typo-corrected: everyday words, and medical words ("copd" is no "cold").
        "known_words": sorted(everyday | single_words(terms)),
    }


def medical_words(medical: Dict[str, Any], everyday: Set[str], roots: Optional[List[str]] = None,
                  any_sense: bool = False) -> List[str]:
    """WordNet's medical nouns, minus everyday words: a word whose lemma is one ("hurting"),
    a phrase whose head is an ordinary word ("baby oil"), a word too common in English ("waste")."""
    nlp = norm_pipeline()
    ordinary = {w.lower() for w in medical["ordinary"]}  # "baby oil": oil
    log_prob = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
    words = []
    for term in nouns_under(roots or medical["wordnet_roots"], exclude=everyday,
                            excluded_roots=medical.get("wordnet_excluded_roots", ()), any_sense=any_sense):
        tokens = list(nlp(term))
        norms = [t.norm_ for t in tokens]
        # Matched by lemma: "wasting" would match "waste" too.
        too_common = len(norms) == 1 and max(log_prob.get(term, -99.0), log_prob.get(norms[0], -99.0)) > medical[
            "common_word_log_prob"]
        head = [t.norm_ for t in tokens if t.is_alpha][-1:] or norms[-1:]  # "alzheimer's": alzheimer
        if " ".join(norms) not in everyday and head[0] not in ordinary and not too_common:
            words += possessive_forms(term)
        else:
            words += eponyms(term, medical["named_categories"])
    return sorted(set(words))


POSSESSIVE = re.compile(r"^([a-z]+)'s\b")


def possessive_forms(term: str) -> List[str]:
    """The term, and as often typed without its apostrophe: "parkinson's" -> "parkinsons"."""
    return [term, POSSESSIVE.sub(r"\1s", term)] if POSSESSIVE.match(term) else [term]


def eponyms(term: str, categories: List[str]) -> List[str]:
    """A disease named after a person, said by the name alone: "crohn's disease" -> "crohn's", "crohns".
    Only a name that is no English word ("still's disease" is not "still")."""
    words = term.split()
    named = POSSESSIVE.match(term)
    if len(words) != 2 or not named or words[1] not in categories or named.group(1) in english_words():
        return []
    return possessive_forms(words[0])


def british_variants(terms: List[str], spellings: List[List[str]]) -> List[str]:
    """The terms and their British spellings (WordNet spells American): "sleep apnea" -> "sleep apnoea"."""
    variants = []
    for term in terms:
        words = term.split()
        for pattern, replacement in spellings:
            words = [re.sub(pattern, replacement, word) for word in words]
        variants.append(" ".join(words))
    return sorted(set(terms) | set(variants))


def ordinary_words(training_data: TrainingData) -> Set[str]:
    """Words and lemmas of the examples of every intent that is not about health."""
    return {
        form.lower()
        for example in training_data.intent_examples
        if example.get(INTENT) not in HEALTH_INTENTS
        for token in example.get(TOKENS_NAMES[TEXT], [])
        for form in (token.text, token.lemma)
    }


def single_words(*phrase_lists) -> Set[str]:
    """Every alphabetic word of the phrases, lower-cased."""
    return {word for phrases in phrase_lists for phrase in phrases for word in phrase.lower().split() if word.isalpha()}
