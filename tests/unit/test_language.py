"""Unit tests for massage_coach.nlu.language: entity matching and negation on the real content.

The safety answers depend on two things this pipeline decides: which condition a message
names, and whether the user said it does NOT apply. A missed match or a false negation
clears a contraindication; a false match scares a user away from a harmless massage.
"""

from __future__ import annotations

from typing import List, Tuple

import pytest

from massage_coach.domain.content import ENTITY_SECTIONS, load_content
from massage_coach.nlu.language import (
    ROUTINE_REQUEST_PATTERNS,
    build_pipeline,
    number_words,
    one_edit_away,
    parse_number,
    patterns_from_phrases,
)
from massage_coach.nlu.routine_names import routine_patterns

Entity = Tuple[str, str, bool]  # (label, id, negated)



@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture(scope="module")
def nlp(content):
    phrases = {label: list(content.phrases(label)) for label in ENTITY_SECTIONS}
    return build_pipeline(patterns_from_phrases(phrases))


def entities(nlp, text: str) -> List[Entity]:
    return [(ent.label_, parse_number(number_words(ent).text) if ent.label_ == "number" else ent.ent_id_, ent._.negated)
            for ent in nlp(text).ents]


def case(text: str, expected: List[Entity], why: str):
    return pytest.param(text, expected, why, id=text)


PREGNANCY = ("condition", "pregnancy", False)
PREGNANCY_NEGATED = ("condition", "pregnancy", True)
FEVER = ("condition", "fever", False)
FEVER_NEGATED = ("condition", "fever", True)

CASES = [
    # ---- conditions are found, whatever the wording or case
    case("Can I massage my pregnant wife?", [PREGNANCY], "the commonest way the question is asked"),
    case("She's expecting a baby", [PREGNANCY], "a euphemism must still stop the massage"),
    case("PREGNANT", [PREGNANCY], "shouting (or caps lock) must not hide a condition"),
    case("she's in her third trimester", [PREGNANCY], "the longer phrase wins over a shorter one"),
    case("my wife is 6 months along", [PREGNANCY], "how people say how far along a pregnancy is"),
    case("he had a heart attack last year", [("condition", "heart_disease", False)],
         "a past heart attack is heart disease (stop), not an emergency now"),
    case("he just had a heart attack", [("condition", "chest_pain", False)], "a heart attack now is an emergency"),
    case("she broke a vertebra", [("condition", "spine_injury", False)], "a broken vertebra is a spine injury"),
    case("my back hurts since I fell", [("condition", "injury_pain", False)],
         "pain after a fall needs a professional"),
    case("my dad had a stroke", [("condition", "stroke", False)], "a stroke is not the stroking technique"),
    case("I think she's having a stroke", [("condition", "stroke_signs", False)], "a stroke now is an emergency"),
    case("he has a sharp pain in his back", [("condition", "sharp_pain", False)], "sharp pain stops the massage"),
    case("sudden severe back pain", [("condition", "sudden_severe_pain", False)], "severe back pain is an emergency"),
    case("She expects a baby", [PREGNANCY], "the module docstring promises inflected forms match",),
    case("varicose veins", [("condition", "vein_disease", False)], "vein disease is a listed contraindication"),
    case("blood clot", [("condition", "vein_disease", False)], "a clot is the dangerous vein case"),
    case("chemo", [("condition", "cancer", False)], "treatment words name the disease too"),
    case("had an operation", [("condition", "recent_surgery", False)], "plain-language surgery"),
    case("recent surgery", [("condition", "recent_surgery", False)], "the textbook wording"),
    case("she can't breathe", [("condition", "breathing_difficulty", False)],
         "the n't inside an emergency phrase must not negate the emergency itself"),
    # ---- negation: the user says a condition does not apply
    case("she is not pregnant", [PREGNANCY_NEGATED], "'not' clears pregnancy"),
    case("she isn't pregnant", [PREGNANCY_NEGATED], "contracted negation"),
    case("she isnt pregnant", [PREGNANCY_NEGATED], "contraction typed without the apostrophe"),
    case("he doesn't have a fever", [FEVER_NEGATED], "negation a few words before the entity"),
    case("no fever", [FEVER_NEGATED], "the shortest form of a denial"),
    case("neither pregnant nor feverish", [PREGNANCY_NEGATED, FEVER_NEGATED], "both sides of neither/nor"),
    # ---- negation must stay in its clause, or a real condition is cleared
    case("no fever and she is pregnant", [FEVER_NEGATED, PREGNANCY],
         "'and' ends the scope: the pregnancy still stops the massage"),
    case("she's not pregnant but she has a rash", [PREGNANCY_NEGATED, ("condition", "skin_disease", False)],
         "'but' ends the scope: the rash still stops the massage"),
    case("She's pregnant, not feverish", [PREGNANCY, FEVER_NEGATED],
         "a negation never reaches backwards to an earlier entity"),
    case("She has a fever. No rash.", [FEVER, ("condition", "skin_disease", True)],
         "a sentence boundary ends the scope"),
    # ---- doubt is not a denial
    case("I'm not sure she isn't pregnant", [PREGNANCY], "doubt must not clear pregnancy"),
    case("I don't know if he has a fever", [FEVER], "not knowing is not a 'no'"),
    # ---- not negations: each of these would otherwise clear a condition the user reported
    case("Isn't she pregnant?", [PREGNANCY], "a rhetorical question affirms the pregnancy"),
    case("No one told me she was pregnant", [PREGNANCY], "'no one told me' reports the pregnancy"),
    case("He never told me he had surgery", [("condition", "recent_surgery", False)],
         "the surgery happened; only the telling did not"),
    case("no idea if she is pregnant", [PREGNANCY], "doubt phrased as 'no idea'"),
    # ---- techniques, zones and body parts
    case("go to step number six", [("number", 6, False)],
         "the lookup table lemmatizes 'number' to 'numb': this must not read as numbness"),
    case("jump to step twenty five", [("number", 25, False)], "number words make one step number"),
    case("go to the fourth step", [("number", 4, False)], "an ordinal before 'step' is a step number"),
    case("take me to the 3rd step", [("number", 3, False)], "so is a numbered ordinal"),
    case("the twenty-first step please", [("number", 21, False)], "and a compound one"),
    case("one step back", [], "a count of steps to move is not a step number"),
    case("what is kneading", [("technique", "kneading", False)], "the plain technique name"),
    case("effleurage", [("technique", "stroking", False)], "professional term for stroking"),
    case("petrissage", [("technique", "kneading", False)], "professional term for kneading"),
    case("tapotement", [("technique", "percussion", False)], "professional term for percussion"),
    case("where does the lumbar zone start", [("zone", "lumbar", False)], "the zone's own name"),
    case("lower back", [("zone", "lumbar", False)], "the everyday name of the lumbar zone"),
    case("can I press on the spine", [("body_part", "spine", False)],
         "the spine is a body part (never press), not a spinal condition"),
    # ---- ordinary sentences must not raise a false alarm
    case("what temperature should the room be", [], "room temperature is not a fever"),
    case("I'm expecting it to take an hour", [], "'expecting' alone is not pregnancy"),
]


@pytest.mark.parametrize("text, expected, why", CASES)
def test_entities_and_negation(nlp, text: str, expected: List[Entity], why: str):
    assert entities(nlp, text) == expected, why


def test_every_content_phrase_names_its_own_entry(nlp, content):
    """A synonym that another pattern shadows or splits would never reach its entry."""
    wrong = []
    for label in ENTITY_SECTIONS:
        for entry_id, phrase in content.phrases(label):
            found = entities(nlp, phrase)
            if found != [(label, entry_id, False)]:
                wrong.append((phrase, label, entry_id, found))
    assert wrong == []


# --------------------------------------------------------------------------- building blocks


def test_patterns_from_phrases():
    """Each (id, phrase) becomes one ruler pattern carrying its label and id."""
    patterns = patterns_from_phrases({
        "technique": [("kneading", "petrissage"), ("stroking", "effleurage")],
        "zone": [("lumbar", "lower back")],
    })

    assert patterns == [
        {"label": "technique", "pattern": "petrissage", "id": "kneading"},
        {"label": "technique", "pattern": "effleurage", "id": "stroking"},
        {"label": "zone", "pattern": "lower back", "id": "lumbar"},
    ]


def test_pipeline_components():
    """Without patterns only the normaliser runs; with them the ruler and negation follow in order."""
    assert build_pipeline().pipe_names == ["lemma_norm"]
    assert build_pipeline([]).pipe_names == ["lemma_norm", "typo_norm", "entity_ruler", "negation_scope"]


@pytest.fixture(scope="module")
def normaliser():
    return build_pipeline()


@pytest.mark.parametrize(
    "word, norm",
    [
        ("Kneading", "knead"),
        ("expects", "expect"),
        ("babies", "baby"),
        ("Veins", "vein"),
    ],
)
def test_lemma_norm_sets_the_lower_cased_lookup_lemma(normaliser, word: str, norm: str):
    """Patterns match on NORM, so inflected forms only match if norm_ holds the lemma."""
    assert normaliser(word)[0].norm_ == norm


def test_lemma_norm_lower_cases_words_without_a_lemma(normaliser):
    """Words missing from the lookup table still compare case-insensitively."""
    assert [t.norm_ for t in normaliser("Tapotement PREGNANT")] == ["tapotement", "pregnant"]


def test_one_edit_away_covers_the_usual_typos():
    typos = {"pasue": "pause", "contiue": "continue", "nextt": "next", "repaet": "repeat", "stpo": "stop",
             "kneeding": "kneading"}
    for typo, word in typos.items():
        assert word in one_edit_away(typo), typo
    assert "pause" not in one_edit_away("pasta")


@pytest.mark.parametrize("text, label, entry", [
    ("lets do the relaxng one", "routine", "relaxing"),
    ("start the clasic massage", "routine", "classic"),
    ("what is kneeding", "technique", "kneading"),
    ("what about the shoulder blaeds", "body_part", "shoulder_blades"),
])
def test_a_typo_of_a_content_word_names_it(text, label, entry):
    content = load_content()
    nlp = build_pipeline(patterns_from_phrases({section: list(content.phrases(section)) for section in ENTITY_SECTIONS})
                         + routine_patterns(content))
    assert [(span.label_, span.ent_id_) for span in nlp(text).ents] == [(label, entry)]


@pytest.mark.parametrize("text, named", [("skip to the end", True), ("go to the final step", True),
                                         ("are we close to the end yet", True), ("the end of the spine", False)])
def test_the_last_step_is_named_by_its_place(text, named):
    assert any(span.label_ == "last_step" for span in build_pipeline(ROUTINE_REQUEST_PATTERNS)(text).ents) == named


@pytest.mark.parametrize("text, before", [("skip to the end", False), ("go to the final step", False),
                                          ("take me back to the last step we did", True),
                                          ("can we do the last step again", True),
                                          ("can we skip to the end", False)])
def test_the_last_step_said_as_the_one_before_is_not_the_end(text, before):
    from massage_coach.nlu.components import span_says_before

    spans = [span for span in build_pipeline(ROUTINE_REQUEST_PATTERNS)(text).ents if span.label_ == "last_step"]
    assert len(spans) == 1 and span_says_before(spans[0]) == before
