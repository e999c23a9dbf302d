"""spaCy components that recognise health talk compositionally (issue 13).

Built from content/recognition.yml (the lexicon) and content/conditions.yml (the phrases):

- `typo_norm`: a word unknown to English one edit away from a lexicon word reads as that
  word ("pregnent", "fevr", "exspecting");
- `condition_rules`: a condition from word classes in order within a short window
  ("fractured his spine", "appendix removed", "39 degrees", "expecting twins", "bulging veins");
- `medical_terms`: the safety net, anything medical the content does not name: WordNet's
  disease, injury, procedure and drug nouns, an organ with a problem word ("liver problems"),
  medical word endings ("-itis", "-ectomy");
- `health_statements`: "he is healthy", "no medical issues";
- `clinical_context`: a ConText-style pass (Chapman et al.'s algorithm, as in medspaCy):
  each entity is negated, possible (doubt, which never clears it) or someone else's (family).
"""


import datetime
import re
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Tuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_suffix_regex

from massage_coach.nlu.language import english_lexicon, english_words, parse_number

Span.set_extension("negated", default=False, force=True)
Span.set_extension("family", default=False, force=True)
# Ordinary muscle tension, no pain ("tight shoulders"): a rule with `role: tension` found it.
Span.set_extension("tension", default=False, force=True)
# Told as past and over ("she used to have eczema", "a fever last week"), not going on now.
Span.set_extension("historical", default=False, force=True)
# Told as years past ("pregnant with him years ago"): over even for what passes only within a year.
Span.set_extension("long_past", default=False, force=True)
# Found by a rule with `lasting: true` ("spinal fusion"): never over, however long ago it was told.
Span.set_extension("lasting", default=False, force=True)
# A condition named by the specialist who treats it ("his cardiologist"): a doctor's all clear leaves it named.
Span.set_extension("by_specialist", default=False, force=True)
# Found by a rule with `absent: true`: the words name the condition absent ("his heart is strong").
Span.set_extension("absent", default=False, force=True)

CONDITION_LABEL = "condition"
MEDICAL_TERM_LABEL = "medical_term"
HEALTH_LABEL = "health_status"
# A decimal point or comma: "38.5", "38,4" (as much of Europe writes it).
# A blood pressure reading "175/105" is read by its first number.
DIGITS = re.compile(r"^(\d+(?:[.,]\d+)?)(?:/\d+)?°?[cCfF]?$")
# Words a list item may carry between a comma and its noun: "no fever, any rash or cuts".
SENTENCE_ENDS = {".", "?", "!", ";"}
# How far past a list cue a word of `others` makes it about the others: "none of those other things".
OTHERS_REACH = 3
LIST_FILLERS = {"a", "an", "any", "the", "some", "other", "or", "nor", "no", "and"}
# How far from a rule's match a word found only by its WordNet sense still counts (tokens).
NEAR = 2
# How many words after a condition asked may go on listing what is asked before its "?": "rash or cuts? nope".
ASKED_LIST_REACH = 4
# How far before a cue of something still going on a negation denies it ("never happened since").
NEGATED_CUE_REACH = 4
EVERYDAY_LABEL = "everyday_sense"
# Everyday senses found in a message ("sick of"): kept apart from the entities ConText reads.
Doc.set_extension("everyday", default=(), force=True)
# What a message says as a whole (recognition.yml rules of the same names): it asks again whether to go
# ahead ("so can i massage her or not"); a doctor's clearance is told ("the cardiologist gave him the all clear").
MESSAGE_FLAGS = ("go_ahead_again", "doctor_clearance")
for flag in MESSAGE_FLAGS:
    Doc.set_extension(flag, default=False, force=True)
# Verbs between an organ and its state: "his spleen is enlarged", "her liver looks fatty" (lemma norms).
LINKING_VERBS = ["be", "get", "look", "feel", "seem", "become"]
# What medicine or a scan is for: "tablets for her thyroid", "an x-ray on his kidneys", "a scan of her liver".
FOR_AN_ORGAN = ["for", "on", "of"]
# Whose: "her thyroid", "dad's cardiologist".
OWNERS = ["my", "his", "her", "their", "our", "your", "the"]
POSSESSIVES = ["my", "his", "her", "their", "our", "your", "'s", "’s"]
# Matches of a field before its visit ("a dermatology appointment").
FIELD_VISIT = "field_visit"
# A four-digit number from this year on may be a year ("in 1987"); before it, a count.
YEAR_FIRST = 1900


# The second word of a year of the last century said in words: "nineteen eighty six", "nineteen oh five".
YEAR_TENS_WORDS = frozenset(("oh", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                             "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                             "ninety"))


def list_item(token: Token) -> bool:
    """An item of a list a cue runs over: something recognised, or clinical shorthand in capitals that
    is not ("denies CP, SOB, fever"; "hx neg for CA, DVT")."""
    return bool(token.ent_type) or (token.is_alpha and token.is_upper and 2 <= len(token.text) <= 5)


def lemma_words(nlp: Language, phrases: Iterable[str]) -> List[List[str]]:
    """Each phrase as the list of its token norms (lookup lemmas)."""
    return [[t.norm_ for t in nlp(phrase)] for phrase in phrases]


def add_entities(doc: Doc, spans: List[Span]) -> None:
    """Adds spans that overlap no entity already found, in the order given."""
    taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    added = []
    for span in spans:
        if not any(i in taken for i in range(span.start, span.end)):
            added.append(span)
            taken.update(range(span.start, span.end))
    if added:
        doc.ents = tuple(sorted([*doc.ents, *added], key=lambda s: s.start))  # type: ignore[assignment]


class ConditionRules:
    """Conditions from sequences of word classes (content/recognition.yml `rules`)."""

    def __init__(self, nlp: Language, word_classes: Dict[str, List[str]], rules: List[Dict[str, Any]],
                 yields_to_rules: Iterable[str] = (), sense_members: Optional[Dict[str, List[str]]] = None) -> None:
        self.rules = rules
        self.yielding = set(yields_to_rules)
        # A class's members by WordNet sense ("jacuzzi": a thing): thousands of words, so they count
        # only next to a match (NEAR tokens), where they are likely what it is about.
        self.sense_members = {name: set(words) for name, words in (sense_members or {}).items()}
        self.matcher = Matcher(nlp.vocab)
        nlp = norm_pipeline()  # lemmatises the class members
        # name -> (single lemmas, exact words (^word), multi-word members as lists of lemmas)
        self.classes = {}
        for name, members in word_classes.items():
            exact = [m[1:] for m in members if m.startswith("^")]
            words = lemma_words(nlp, [m for m in members if not m.startswith("^")])
            self.classes[name] = ({w[0] for w in words if len(w) == 1}, set(exact), [w for w in words if len(w) > 1])
        for index, rule in enumerate(rules):
            self.matcher.add(str(index), self._patterns(rule))

    def _item_alternatives(self, item: str) -> List[List[Dict[str, Any]]]:
        if item == "NUMBER":  # "39", "thirty nine", "a hundred and two", "thirty-eight point two"
            hyphenated: List[Dict[str, Any]] = [{"LIKE_NUM": True}, {"ORTH": "-"}, {"LIKE_NUM": True}]
            point: List[Dict[str, Any]] = [{"LOWER": "point"}, {"LIKE_NUM": True, "OP": "+"}]
            return [[{"LIKE_NUM": True, "OP": "+"}], [{"TEXT": {"REGEX": DIGITS.pattern}}],
                    [{"LIKE_NUM": True, "OP": "+"}, {"LOWER": "and"}, {"LIKE_NUM": True, "OP": "+"}],
                    hyphenated, hyphenated + point, [{"LIKE_NUM": True, "OP": "+"}, *point]]
        if item == "DECIMAL":
            return [[{"TEXT": {"REGEX": r"^\d+[.,]\d+°?[cCfF]?$"}}]]
        if item.startswith("="):
            return [[{"NORM": item[1:]}]]
        if item.startswith("^"):
            return [[{"LOWER": item[1:]}]]
        if item.startswith("/"):
            return [[{"LOWER": {"REGEX": item.strip("/")}}]]
        singles, exact, phrases = self.classes[item]
        alternatives: List[List[Dict[str, Any]]] = [[{"NORM": word} for word in phrase] for phrase in phrases]
        alternatives += [[{"LOWER": {"IN": sorted(exact)}}]] if exact else []
        return ([[{"NORM": {"IN": sorted(singles)}, "OP": "+"}]] if singles else []) + alternatives

    def _patterns(self, rule: Dict[str, Any]) -> List[List[Dict[str, Any]]]:
        patterns: List[List[Dict[str, Any]]] = [[]]
        gap = [{"IS_PUNCT": False, "OP": "?"}] * rule["gap"]
        for position, item in enumerate(rule["sequence"]):
            prefix = gap if position else []
            patterns = [p + prefix + alt for p in patterns for alt in self._item_alternatives(item)]
        return patterns

    def _accepts(self, rule: Dict[str, Any], span: Span) -> bool:
        following = span.doc[span.end] if span.end < len(span.doc) else None
        if following is not None and following.norm_ in rule.get("not_followed_by", ()):
            return False
        if following is not None and "followed_past" in rule and self._in_class(following, rule["followed_past"]):
            # "expecting HER first" is a baby, "expecting HER sister" a guest: the word after counts.
            following = span.doc[following.i + 1] if following.i + 1 < len(span.doc) else None
        if "followed_by" in rule and not (following is None or following.is_punct
                                          or self._begins_class(following, rule["followed_by"])):
            return False
        if "unless_followed_by" in rule and (following is None or following.is_punct
                                             or self._begins_class(following, rule["unless_followed_by"])):
            return False
        if "not_about" in rule and self._about_a_thing(span, rule["not_about"]):
            return False
        before = span.doc[max(0, span.start - NEAR) : span.start]
        if any(self._in_class(token, name) for name in rule.get("not_after", ()) for token in before):
            return False  # "her back is a nightmare" is about her back
        right_before = span.doc[span.start - 1] if span.start else None
        if right_before is not None and any(self._in_class(right_before, name)
                                            for name in rule.get("not_right_after", ())):
            return False  # "her oncologist" is hers, "she's an oncologist" a job
        if "not_within" in rule and any(self._in_class(token, rule["not_within"]) for token in span):
            return False  # "his heart is not strong"
        ranges = rule.get("number_ranges")
        if ranges:
            value = number_in(span)
            return value is not None and any(low <= value <= high for low, high in ranges)
        return True

    def _about_a_thing(self, span: Span, thing_class: str) -> bool:
        """Whether, looking back from the match within its sentence, a word of `thing_class`
        ("the oil") comes before any person ("his"): the nearer one owns the match. With neither
        before it, a thing just after it owns it ("38 degrees outside")."""
        for token in reversed(span.doc[: span.end]):
            if token.text in SENTENCE_ENDS:
                break
            if self._in_class(token, "person"):
                return False
            near = span.start - token.i <= NEAR
            numbered = token.i + 1 < span.start and token.nbor().like_num  # "room 4": where, not what
            if not numbered and (self._in_class(token, thing_class)
                                 or (near and self._sensed(token, thing_class) and not token.is_stop)):
                return True  # (a stop word is no thing: "at 38.6", not astatine)
        for token in span.doc[span.end : span.end + NEAR]:
            if token.is_punct or self._in_class(token, "person"):
                return False
            if self._in_class(token, thing_class) or (self._sensed(token, thing_class) and not token.is_stop):
                return True  # (a stop word is no thing: "38.9 this am")
        return False

    def _sensed(self, token: Token, name: str) -> bool:
        return token.lower_ in self.sense_members.get(name, ()) or token.norm_ in self.sense_members.get(name, ())

    def _in_class(self, token: Token, name: str) -> bool:
        """Whether the token is, or ends, a member of the word class."""
        singles, exact, phrases = self.classes[name]
        doc = token.doc
        return token.norm_ in singles or token.lower_ in exact or any(
            [t.norm_ for t in doc[max(0, token.i - len(words) + 1) : token.i + 1]] == words for words in phrases)

    def _begins_class(self, token: Token, name: str) -> bool:
        """Whether the token is, or begins, a member of the word class ("little" of "little one")."""
        singles, exact, phrases = self.classes[name]
        doc = token.doc
        return token.norm_ in singles or token.lower_ in exact or any(
            [t.norm_ for t in doc[token.i : token.i + len(words)]] == words for words in phrases)

    def __call__(self, doc: Doc) -> Doc:
        found = []
        for match_id, start, end in self.matcher(doc):
            index = int(doc.vocab.strings[match_id])
            rule = self.rules[index]
            if rule.get("keep") == "last":
                start = end - 1
            span = Span(doc, start, end, label=CONDITION_LABEL, span_id=rule["condition"])
            if self._accepts(rule, span):
                found.append((index, -(end - start), start, span))
        self._give_way(doc, [span for *_, span in found if span.id_ not in self.yielding])
        add_entities(doc, [span for *_, span in sorted(found, key=lambda f: f[:3])])
        for index, *_, span in found:
            span._.tension = self.rules[index].get("role") == "tension"
            # (Spans of one extent share their attributes: a rule that names it absent is not undone by another.)
            span._.absent = span._.absent or bool(self.rules[index].get("absent"))
            if self.rules[index].get("lasting"):  # also a phrase of the condition it covers: "back surgery"
                for entity in doc.ents:
                    if entity.ent_id_ == span.id_ and entity.start < span.end and span.start < entity.end:
                        entity._.lasting = True
        return doc

    def _give_way(self, doc: Doc, rule_spans: List[Span]) -> None:
        """Drops a yielding phrase (an ordinary sore back) that a rule's other condition overlaps:
        "back pain keeps him up all night" is pain at night."""
        kept = [e for e in doc.ents if e.ent_id_ not in self.yielding
                or not any(s.start < e.end and e.start < s.end for s in rule_spans)]
        if len(kept) < len(doc.ents):
            doc.ents = tuple(kept)  # type: ignore[assignment]


class EverydaySenses(ConditionRules):
    """Everyday senses of health words, found before any condition (content/recognition.yml
    `everyday_senses`; ConText's pseudo-modifiers): "sick of her job", "a pain in the neck".
    As entities they keep every later component off their words; ConText sets them aside."""

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, start, end, label=EVERYDAY_LABEL) for match_id, start, end in self.matcher(doc)
                 if self._accepts(self.rules[int(doc.vocab.strings[match_id])], Span(doc, start, end))]
        add_entities(doc, sorted(spans, key=lambda s: (s.start, -(s.end - s.start))))
        return doc


class MessageFlag(ConditionRules):
    """Whether the message says something as a whole, by rules as the conditions' (MESSAGE_FLAGS): it asks
    again whether to go ahead ("ok so can i massage her or not", "so yes or no?"), or tells of a doctor's
    clearance ("his cardiologist gave him the all clear")."""

    def __init__(self, nlp: Language, flag: str, word_classes: Dict[str, List[str]],
                 rules: List[Dict[str, Any]]) -> None:
        super().__init__(nlp, word_classes, rules)
        self.flag = flag

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(self.flag, any(self._accepts(self.rules[int(doc.vocab.strings[match_id])], Span(doc, start, end))
                                 for match_id, start, end in self.matcher(doc)))
        return doc


def number_in(span: Span) -> Optional[float]:
    """The first number of a span: "38.5", "38,4", "101f", "thirty nine", "a hundred and two",
    "thirty-eight point two" (the words after "point" are its digits)."""
    words: List[str] = []
    decimals: List[str] = []
    for token in span:
        digits = DIGITS.match(token.text)
        if digits and not words:
            return float(digits.group(1).replace(",", "."))
        if token.like_num and not token.text[:1].isdigit():
            (decimals if decimals or (words and words[-1] == "point") else words).append(token.lower_)
        elif words and token.lower_ == "point" and not decimals:
            words.append("point")
        elif words and token.text == "-" and not decimals:
            continue
        elif words and token.lower_ != "and":  # "a hundred and two" goes on past its "and"
            break
    if words and words[-1] == "point":
        words.pop()
    value = parse_number(" ".join(words)) if words else None
    fraction = [parse_number(word) for word in decimals]
    if value is None or any(digit is None or digit > 9 for digit in fraction):
        return None
    return float(f"{value}.{''.join(str(digit) for digit in fraction) or 0}")


class MedicalTerms:
    """The safety net: medical words no condition names become `medical_term` entities."""

    def __init__(self, nlp: Language, terms: List[str], organs: List[str], organ_problems: List[str],
                 named_categories: List[str], suffixes: List[str], min_suffix_length: int,
                 organ_states: Iterable[str] = (), taken_drugs: Iterable[str] = (),
                 taking: Iterable[str] = (), specialists: Iterable[str] = (), consult: Iterable[str] = (),
                 specialist_conditions: Optional[Dict[str, str]] = None, organ_medicines: Iterable[str] = (),
                 visits: Iterable[str] = (), had_organs: Iterable[str] = ()) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.organ_matcher = Matcher(nlp.vocab)
        nlp = norm_pipeline()  # lemmatises the terms
        self.matcher.add("term", list(nlp.pipe(terms)))
        # Single words only: WordNet's multi-word organs ("second stomach") would split badly.
        organ_words = sorted({words[0] for words in lemma_words(nlp, organs) if len(words) == 1})
        problems = sorted({w for words in lemma_words(nlp, organ_problems) for w in words})
        self.organ_matcher.add("organ", [[{"NORM": {"IN": organ_words}, "OP": "+"},
                                          {"IS_PUNCT": False, "OP": "?"}, {"NORM": {"IN": problems}}]])
        # Medicine for an organ: "a little pill every morning for her thyroid", "his kidney tablets".
        medicines = sorted({w for words in lemma_words(nlp, organ_medicines) for w in words})
        self.organ_matcher.add("organ_medicine", [
            [{"NORM": {"IN": medicines}}, *[{"IS_PUNCT": False, "OP": "?"}] * NEAR, {"LOWER": {"IN": FOR_AN_ORGAN}},
             {"LOWER": {"IN": OWNERS}, "OP": "?"}, {"NORM": {"IN": organ_words}}],
            [{"NORM": {"IN": organ_words}}, {"NORM": {"IN": medicines}}]])
        # An internal organ or gland had, with no article, ending its clause: "Grandmother have thyroid", "I have
        # thyroid, take a pill" (an organ's illness as people name it; "she has a heart of gold" has one; a muscle,
        # an organ to WordNet, is no illness: "he has big lats").
        self.organ_had = Matcher(nlp.vocab)
        had = sorted({words[0] for words in lemma_words(nlp, had_organs) if len(words) == 1})
        if had:
            self.organ_had.add("organ_had", [[{"NORM": "have"}, {"NORM": {"IN": had}}]])
        states = sorted({w for words in lemma_words(nlp, organ_states) for w in words})
        # "An enlarged spleen", and told after it: "his spleen is enlarged", "her liver got really fatty".
        self.organ_matcher.add("organ_state", [[{"NORM": {"IN": states}}, {"NORM": {"IN": organ_words}}],
                                               [{"NORM": {"IN": organ_words}}, {"NORM": {"IN": LINKING_VERBS}},
                                                {"IS_ALPHA": True, "OP": "?"}, {"NORM": {"IN": states}}]])
        # "She's on lithium", "he takes digoxin": after these, a word with any drug sense is a drug.
        self.taken_matcher = Matcher(nlp.vocab)
        self.taken_matcher.add("taken", [[{"LOWER": {"IN": sorted(taking)}}, {"LOWER": {"IN": sorted(taken_drugs)}}]])
        # "She's on levothyroxine for her thyroid": a word no list knows, taken for something.
        self.taken_for = Matcher(nlp.vocab)
        self.taken_for.add("taken_for", [[{"LOWER": {"IN": sorted(taking)}}, {"IS_ALPHA": True}, {"LOWER": "for"}]])
        # "Seeing the cardiologist", "an appointment with a rheumatologist", "her oncologist": the specialist
        # is named. One whose field begins with a root of `specialist_conditions` treats that condition
        # ("cardio-": heart disease), so the condition is named, as a possibility never cleared.
        self.specialist_conditions = specialist_conditions or {}
        roots = "|".join(sorted(self.specialist_conditions, key=len, reverse=True))
        specialist: List[Dict[str, Any]] = [{"LOWER": {"IN": sorted(specialists)}}]
        # ... and the field itself after a consult word or before its visit: "a dermatology appointment".
        fields: List[Dict[str, Any]] = []
        if roots:
            specialist.append({"LOWER": {"REGEX": rf"^({roots})[a-z]*(logist|ian|ist)s?$"}})
            fields.append({"LOWER": {"REGEX": rf"^({roots})[a-z]*logy$"}})
        article: Dict[str, Any] = {"LOWER": {"IN": ["a", "an", *OWNERS]}, "OP": "?"}
        self.consulted = Matcher(nlp.vocab)
        self.consulted.add("consulted", [[*({"NORM": w} for w in words), article, who]
                                         for words in lemma_words(nlp, consult) for who in specialist + fields]
                           + [[{"LOWER": {"IN": POSSESSIVES}}, who] for who in specialist])
        visit_words = sorted({w for words in lemma_words(nlp, visits) for w in words})
        self.field_visit = nlp.vocab.strings.add(FIELD_VISIT)
        if fields and visit_words:
            self.consulted.add(FIELD_VISIT, [[field, {"NORM": {"IN": visit_words}}] for field in fields])
        categories = sorted({w for words in lemma_words(nlp, named_categories) for w in words})
        self.organ_matcher.add("named", [[{"IS_ALPHA": True, "IS_STOP": False}, {"ORTH": "'s", "OP": "?"},
                                          {"NORM": {"IN": categories}}]])
        self.suffix = re.compile(rf"^[a-z]{{{max(0, min_suffix_length - 4)},}}({'|'.join(suffixes)})$")
        self.min_suffix_length = min_suffix_length
        self.english = english_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=MEDICAL_TERM_LABEL) for _, s, e in self.organ_matcher(doc)]
        spans += [Span(doc, s, e, label=MEDICAL_TERM_LABEL) for _, s, e in self.matcher(doc)]
        spans += [Span(doc, e - 1, e, label=MEDICAL_TERM_LABEL) for _, s, e in self.taken_matcher(doc)]
        spans += [Span(doc, e - 1, e, label=MEDICAL_TERM_LABEL) for _, s, e in self.organ_had(doc)
                  if e == len(doc) or doc[e].is_punct or doc[e].lower_ in ("and", "but")]
        consulted = [(i, self._treated_by(doc[i].lower_)) for match, s, e in self.consulted(doc)
                     for i in [s if match == self.field_visit else e - 1]]  # the field first, a specialist last
        add_entities(doc, [Span(doc, i, i + 1, label=CONDITION_LABEL, span_id=treated) for i, treated in consulted
                           if treated])
        for entity in doc.ents:
            entity._.by_specialist = entity._.by_specialist or any(
                treated and entity.start == i and entity.label_ == CONDITION_LABEL for i, treated in consulted)
        spans += [Span(doc, i, i + 1, label=MEDICAL_TERM_LABEL) for i, treated in consulted if not treated]
        spans += [Span(doc, s + 1, e - 1, label=MEDICAL_TERM_LABEL) for _, s, e in self.taken_for(doc)
                  if not {doc[s + 1].lower_, doc[s + 1].norm_} & english_words()]
        spans += [doc[t.i : t.i + 1] for t in doc
                  if len(t.lower_) >= self.min_suffix_length and t.lower_ not in self.english
                  and self.suffix.match(t.lower_)]
        spans = [Span(doc, self._unknown_words_before(doc, s.start), s.end, label=MEDICAL_TERM_LABEL) for s in spans]
        add_entities(doc, sorted(spans, key=lambda s: (-(s.end - s.start), s.start)))
        return doc


    def _treated_by(self, specialist: str) -> Optional[str]:
        """The condition a specialist's field names by its root ("oncologist": cancer), if any."""
        return next((condition for root, condition in sorted(self.specialist_conditions.items(),
                                                              key=lambda item: -len(item[0]))
                     if specialist.startswith(root)), None)

    def _unknown_words_before(self, doc: Doc, start: int) -> int:
        """Takes in the name before a term that no word list knows: "parkinsons disease"."""
        known = english_words()
        def unknown(token: Token) -> bool:
            return token.is_alpha and not {token.lower_, token.norm_} & known

        while start > 0:
            if unknown(doc[start - 1]):
                start -= 1
            elif start > 1 and doc[start - 1].text == "-" and unknown(doc[start - 2]):  # "Ehlers-Danlos"
                start -= 2
            else:
                return start
        return start


class HealthStatements:
    """"He is healthy", "no medical issues": nothing applies (label health_status)."""

    def __init__(self, nlp: Language, phrases: List[str]) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("healthy", [nlp.make_doc(p) for p in phrases])

    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, [Span(doc, s, e, label=HEALTH_LABEL, span_id="healthy") for _, s, e in self.matcher(doc)])
        return doc


class ClinicalContext:
    """ConText over the entities: negated (forward or backward cue in scope), possible
    (doubt within its clause: never negated), family (a relative of his/hers owns it)."""

    def __init__(self, nlp: Language, context: Dict[str, Any], body_words: Iterable[str] = (),
                 people: Optional[Dict[str, List[str]]] = None, animals: Iterable[str] = (),
                 same_person: Iterable[List[str]] = (), person_pronouns: Iterable[str] = ()) -> None:
        self.window = context["window"]
        self.absent_words = set(context.get("absent_words", ()))
        self.test_words = set(context.get("test_words", ()))
        self.givers_before = set(context.get("givers_before", ()))
        # "None of those other things": a list cue about the others leaves out what was named.
        self.others = set(context.get("others", ()))
        # A list's head noun between its items: "cardiac disease, blood clots or malignancy".
        self.list_heads = set(context.get("list_heads", ()))
        # A subject that begins a new clause ends a denial before it: "cant breathe properly, he's gasping".
        self.clause_subjects = set(context.get("clause_subjects", ()))
        self.inverting = set(context.get("inverting", ()))
        self.cues = {}
        vocab, nlp = nlp.vocab, norm_pipeline()
        for category in ("negated_forward", "negated_backward", "negated_list_backward", "negated_list_forward",
                         "answered_no", "possible",
                         "not_possible",
                         "family_phrases", "died_of", "historical_forward", "historical_backward", "long_ago",
                         "ongoing", "recent", "not_health", "focus"):
            matcher = PhraseMatcher(vocab, attr="LOWER")
            matcher.add(category, [nlp.make_doc(p) for p in context.get(category, ())])
            self.cues[category] = matcher
        # Whole words only: the pieces of "co-worker" ("co", "-") would make "cos" and any dash a relative.
        self.family_relation = {words[0] for words in lemma_words(nlp, context["family_relation"]) if len(words) == 1}
        self.family_owner = set(context["family_owner"])
        self.survived = set(context.get("died_of_not_after", ()))
        self.terminators = set(context["terminators"])
        # Terminators that end no subject's clause: "my mate's missus just had surgery" is hers.
        self.clause_adverbs = set(context.get("clause_adverbs", ()))
        self.punctuation = set(context["clause_punctuation"])
        self.subjects = set(context["subjects"])
        self.massage_verbs = {w for words in lemma_words(nlp, context.get("massage_verbs", ())) for w in words}
        self.recipient_nouns = self.family_relation | {
            w for words in lemma_words(nlp, context.get("recipient_nouns", ())) for w in words}
        self.emphatic = set(context.get("emphatic", ()))
        # A disease named as a field of work or a place: "a nurse on the cancer ward", "researches cancer".
        self.work_after = {w for words in lemma_words(nlp, context.get("work_after", ())) for w in words}
        self.work_before = {w for words in lemma_words(nlp, context.get("work_before", ())) for w in words}
        self.work_places = {w for words in lemma_words(nlp, context.get("work_places", ())) for w in words}
        self.group_after = {w.lower() for w in context.get("group_after", ())}
        self.workers = {w for words in lemma_words(nlp, context.get("workers", ())) for w in words}
        # A film, book or game, and what it is about: "a documentary about cancer".
        # As written (singular and plural listed): by lemma, "booked" would be a book.
        self.works = {w.lower() for w in context.get("works", ())}
        self.topic_words = set(context.get("topic_words", ()))
        # The speaker is the one massaged: "can my husband do my shoulders", "rub me".
        self.speaker_verbs = {w for words in lemma_words(nlp, context.get("speaker_verbs", ())) for w in words}
        self.speaker = set(context.get("speaker", ()))
        # The speaker as a subject: "my boyfriend I'm going to massage" ("mi", Jamaican).
        self.first_person = set(context.get("first_person", ()))
        self.body_words = {w for words in lemma_words(nlp, body_words) for w in words}
        # Whether a person word is female or male ("him" after "massage" is no mum).
        self.kind_of = {word: kind for kind, words in (people or {}).items() for word in words if kind != "self"}
        # Who may own a condition apart from the one massaged: a relation of a kind ("wife", not "baby").
        self.partners = {w for w in self.recipient_nouns - self.family_relation if w in self.kind_of}
        # One person's words ("hubby" is "husband"), and the pronouns that stand for a person.
        self.relation_of = {w: group[0] for group in same_person for w in group}
        self.pronouns = {w for w in self.kind_of if w in set(person_pronouns)}
        # Whom one practises on is the one massaged: "practising the technique on my brother".
        self.practice_verbs = {w for words in lemma_words(nlp, context.get("practice_verbs", ())) for w in words}
        # Who wants or needs a massage is the one massaged: "my girlfriend wants a massage".
        self.wanting = {w for words in lemma_words(nlp, context.get("wanting", ())) for w in words}
        self.massage_nouns = {words[-1] for words in lemma_words(nlp, context.get("massage_nouns", ()))}
        # "The dog has a temperature": an animal's condition is no one's to massage.
        self.animals = {w.lstrip("^") for w in animals}
        self.animal_owners = set(context.get("animal_owners", ()))
        # "Gone since sunday", "in remission ever since": a "since" that says it is over, not going on.
        self.over_before_since = set(context.get("over_before_since", ()))
        # Doubt that only sets a condition: "if he's never had a stroke" (context `conditionals`).
        self.conditionals = set(context.get("conditionals", ()))
        # A negation that ends its clause denies what the clause named: "fever he has not".
        self.clause_final_negations = set(context.get("negated_at_clause_end", ()))
        # What a clause after a break begins with when it goes on about the same thing: "she had a
        # fever - no wait, that was last week", "a fever over christmas but thats 2 months ago".
        self.refers_back = set(context.get("refers_back", ()))
        self.correction_fillers = set(context.get("correction_fillers", ()))
        # "When he was about 12", "back in 2015": an age or a year then.
        self.approximately = set(context.get("approximately", ()))
        self.year_prepositions = set(context.get("year_prepositions", ()))

    def __call__(self, doc: Doc) -> Doc:
        doc._.everyday = tuple(e for e in doc.ents if e.label_ == EVERYDAY_LABEL)
        if doc._.everyday:  # no condition of anyone's: neither a list item nor an entity to qualify
            doc.ents = tuple(e for e in doc.ents if e.label_ != EVERYDAY_LABEL)  # type: ignore[assignment]
        if not doc.ents:
            return doc
        marks = {category: self._cue_tokens(doc, category) for category in self.cues}
        # "Nearly died from sepsis": the one who nearly died had it.
        marks["died_of"] = {i: start for i, start in marks["died_of"].items()
                            if not (start and doc[start - 1].lower_ in self.survived)}
        marks["historical_backward"].update(self._ages_then(doc))
        for category in ("historical_forward", "historical_backward"):  # "in 2015": a year before this one
            marks[category].update(self._years_then(doc, 1))
        marks["long_ago"].update(self._years_then(doc, 2))  # over, even what lasts a year (a pregnancy)
        for category in ("historical_forward", "historical_backward"):  # "hasn't healed" says it has not
            marks[category] = {i: start for i, start in marks[category].items()
                               if not self._denied(marks["negated_forward"], start)}
        sentence_of = self._sentences(doc)
        # Not about health at all ("a cancer, star sign i mean"; "the cancer ward"): everyday senses.
        pseudo_sentences = {sentence_of[i] for i in marks["not_health"]}
        not_health = [e for e in doc.ents if e.label_ in (CONDITION_LABEL, MEDICAL_TERM_LABEL) and (
            (sentence_of[e.start] in pseudo_sentences and e.label_ == CONDITION_LABEL) or self._field_of_work(doc, e)
            or self._subject_of_a_work(doc, e))]
        if not_health:
            doc._.everyday = (*doc._.everyday, *not_health)
            doc.ents = tuple(e for e in doc.ents if e not in not_health)  # type: ignore[assignment]
            if not doc.ents:
                return doc
        recipient = self._recipient(doc, marks["focus"])
        # "To be sure", "make sure": no doubt (ConText's pseudo-modifiers).
        doubt = {i: start for i, start in marks["possible"].items() if i not in marks["not_possible"]}
        family_sentences = {sentence_of[i] for i in marks["family_phrases"]}
        # "Never happened since": a denied cue says nothing is going on.
        ongoing_sentences = {sentence_of[i] for i, start in marks["ongoing"].items()
                             if not self._denied(marks["negated_forward"], i) and not self._over_before(doc, start)}
        ongoing_sentences |= {sentence_of[i] for i in marks["recent"]}  # today's is not over
        denied_clauses = self._clauses_denied_at_end(doc)
        for entity in doc.ents:
            sentence = sentence_of[entity.start]
            # Doubt reaches over its clause, not past it ("she isn't pregnant, could you ..." leaves the
            # pregnancy ruled out), either way: "not sure if his lump is cancer or not", "pregnant, I think".
            doubtful = self._scan(doc, entity, doubt, -1, window=len(doc)) or self._scan(
                doc, entity, doubt, +1, window=len(doc))
            if doubtful and self._doubt_over_a_denial(doc, entity, doubt, marks["negated_forward"]):
                doubtful = False  # "no problem if he's never had a stroke, right?": the denial is told
            entity._.family = sentence in family_sentences or self._family(doc, entity, sentence[0], recipient) or (
                self._told_again_of_another(doc, entity)) or self._scan(doc, entity, marks["died_of"], -1)
            # A doctor's all clear is theirs to give: it does not rule out what their specialty names.
            cleared_by_its_specialist = entity._.by_specialist and doc._.doctor_clearance
            entity._.negated = not doubtful and not cleared_by_its_specialist and (
                entity.text.lower() in self.absent_words or entity._.absent
                or self._between_neither_and_nor(doc, entity, sentence)
                or self._scan(doc, entity, marks["negated_forward"], -1, denial=True)
                or self._scan(doc, entity, marks["negated_backward"], +1)
                or self._list_denied(doc, entity, marks["negated_list_backward"], sentence[1])
                or self._list_denied_next(doc, entity, marks["negated_list_backward"], sentence, sentence_of)
                or self._list_denied_before(doc, entity, marks["negated_list_forward"], sentence[0])
                or self._tested_negative(doc, entity, marks["negated_backward"], sentence[1])
                or self._answered_no(doc, entity, marks["answered_no"], doubt)
                or any(start <= entity.start and entity.end <= end for start, end in denied_clauses)
            )
            # Past only when nothing says it is still going on, and without doubt.
            entity._.historical = not (doubtful or entity._.negated or sentence in ongoing_sentences) and (
                self._scan(doc, entity, marks["historical_forward"], -1)
                or self._scan(doc, entity, marks["historical_backward"], +1, across_clauses=True)
            )
            entity._.long_past = entity._.historical and (
                self._scan(doc, entity, marks["long_ago"], -1)
                or self._scan(doc, entity, marks["long_ago"], +1, across_clauses=True))
        return doc

    def _field_of_work(self, doc: Doc, entity: Span) -> bool:
        """A disease named as a field or place of work, not as anyone's: "works in diabetes research",
        "she researches cancer", "a nurse on the cancer ward"; or before its patients as a group ("cancer patients")."""
        after = doc[entity.end] if entity.end < len(doc) else None
        before = doc[entity.start - 1] if entity.start else None
        worker_before = any(t.norm_ in self.workers for t in doc[max(0, entity.start - 4) : entity.start])
        # "He is a diabetes nurse", "my wife's a diabetes educator": a job ("her diabetes nurse" is hers).
        is_a_worker = (after is not None and after.norm_ in self.workers and entity.start >= 2
                       and doc[entity.start - 1].lower_ in ("a", "an")
                       and (doc[entity.start - 2].norm_ == "be" or doc[entity.start - 2].lower_ in ("'s", "’s")))
        # "She works in oncology": the field she works in.
        works_in = entity.start >= 2 and doc[entity.start - 1].lower_ == "in" and doc[entity.start - 2].norm_ == "work"
        return works_in or (after is not None and (after.norm_ in self.work_after or after.lower_ in self.group_after
                                       or (after.norm_ in self.work_places and worker_before))) or (
            before is not None and before.norm_ in self.work_before) or is_a_worker

    def _subject_of_a_work(self, doc: Doc, entity: Span) -> bool:
        """What a film, book or game is about is no one's condition: "a film about a heart transplant
        surgeon", "that zombie virus outbreak game" (a work named just after)."""
        for token in doc[entity.end : entity.end + NEAR]:
            if token.is_punct:
                break
            if token.lower_ in self.works:
                return True
        if entity.start >= 2 and doc[entity.start - 1].text == "," and doc[entity.start - 2].lower_ in self.works:
            return True  # its title, in apposition: "a scary movie, Contagion"
        for i in range(entity.start - 1, max(-1, entity.start - 1 - self.window), -1):
            if doc[i].text in self.punctuation or doc[i].text == ",":
                return False
            if doc[i].lower_ in self.topic_words:
                return any(t.lower_ in self.works for t in doc[max(0, i - NEAR - 1) : i])
        return False

    def _cue_tokens(self, doc: Doc, category: str) -> Dict[int, int]:
        """Token index -> cue start for every token of a cue, minus questions and answers."""
        found = {}
        for _, start, end in self.cues[category](doc):
            if category == "negated_forward" and not self._is_negation(doc, start):
                continue
            if category in ("negated_backward", "negated_list_backward") and any(
                    t.lower_ in self.others for t in doc[start : end + OTHERS_REACH]):
                continue  # "she has cancer, none of those other things": the others are ruled out, not hers
            for i in range(start, end):
                found[i] = start
        return found

    def _is_negation(self, doc: Doc, i: int) -> bool:
        token = doc[i]
        if token.lower_ in ("n't", "not") and i <= 1 and doc[-1].text == "?" and not (i == 0 and token.lower_ == "not"):
            return False  # "Isn't she pregnant?" asks; it does not deny ("not preggo, ... walk me thru it?" does)
        if token.lower_ == "no" and i == 0 and i + 1 < len(doc) and doc[i + 1].lower_ in self.subjects:
            return False  # "No she is pregnant" answers a question; it does not deny
        return True

    @staticmethod
    def _sentences(doc: Doc) -> List[Tuple[int, int]]:
        """Each token's sentence as (start, end), split at . ? ! ;"""
        bounds, start = [], 0
        for token in doc:
            if token.text in SENTENCE_ENDS or token.i == len(doc) - 1:
                bounds += [(start, token.i + 1)] * (token.i + 1 - start)
                start = token.i + 1
        return bounds

    def _ends_scope(self, doc: Doc, i: int, entity: Span, direction: int, denial: bool = False) -> bool:
        """A terminator, clause punctuation, "and", or a comma that does not continue a list; for a denial, a
        subject that begins a new clause."""
        token = doc[i]
        if token.lower_ in self.terminators or token.lower_ == "and":
            return True
        if denial and direction < 0 and token.lower_ in self.clause_subjects and i + 1 < entity.start and not (
                i and doc[i - 1].norm_ in self.inverting):
            return True  # "cant breeth proply hes gasping" ("nor has she had surgery" inverts: still denied)
        if token.text == ",":
            between = self._since_previous_item(doc, i, entity, direction)
            neighbour = i - 1 if direction < 0 else i + 1
            if direction < 0 and 0 < neighbour and doc[neighbour].lower_ in self.list_heads and list_item(
                    doc[neighbour - 1]):
                neighbour -= 1  # an item with its head noun: "cardiac disease, blood clots"
            is_list = 0 <= neighbour < len(doc) and list_item(doc[neighbour]) and all(
                t.lower_ in LIST_FILLERS or t.lower_ in self.list_heads or t.ent_type for t in between)
            return not is_list
        return token.text in self.punctuation and direction < 0

    @staticmethod
    def _since_previous_item(doc: Doc, i: int, entity: Span, direction: int) -> Span:
        """The words between a comma and the list item before it (towards the entity):
        "cancer, heart problems, blood clots" continues after each item."""
        j = i - direction
        while (entity.end <= j if direction > 0 else j < entity.start) and not list_item(doc[j]):
            j -= direction
        return doc[j + 1 : i] if direction > 0 else doc[i + 1 : j]

    def _scan(self, doc: Doc, entity: Span, cues: Dict[int, int], direction: int,
              across_clauses: bool = False, window: Optional[int] = None, denial: bool = False) -> bool:
        """Walks from the entity towards a cue (backwards for forward cues, and the reverse), at most
        `window` words (ConText's window by default).
        `across_clauses`: forward, on into a next clause that refers back ("..., that was last week")."""
        i = entity.start - 1 if direction < 0 else entity.end
        steps = 0
        while 0 <= i < len(doc) and steps < (window or self.window):
            if i in cues:
                return True
            if doc[i].ent_type:
                i += direction  # another list item: "no fever or rash"
                continue
            if self._ends_scope(doc, i, entity, direction, denial) or (
                    direction > 0 and doc[i].text in SENTENCE_ENDS):
                if not (across_clauses and doc[i].text not in SENTENCE_ENDS and self._goes_on(doc, i + 1)):
                    return False
            i += direction
            steps += 1
        return False

    def _list_denied(self, doc: Doc, entity: Span, cues: Dict[int, int], sentence_end: int) -> bool:
        """Whether a cue that refers back to a list ("none of those", "no to all") follows the entity in its
        sentence, with no "but" between: "swollen veins, clots in the legs, anything like that - none of those"."""
        for i in range(entity.end, sentence_end):
            if i in cues:
                return True
            if doc[i].lower_ in self.terminators and doc[i].lower_ not in self.clause_adverbs:
                return False
        return False

    def _list_denied_next(self, doc: Doc, entity: Span, cues: Dict[int, int], sentence: Tuple[int, int],
                          sentence_of: List[Tuple[int, int]]) -> bool:
        """Whether the entity is an item of a sentence that only lists ("... your list: a temperature, skin
        problems, any operations.") and the next sentence refers back to it: "My husband has none of them"."""
        start = max((t.i + 1 for t in doc[sentence[0] : entity.start] if t.text == ":"), default=sentence[0])
        listed = doc[start : sentence[1]]
        is_list = len({e.start for e in doc.ents if start <= e.start < sentence[1]}) >= 2 and all(
            t.ent_type or t.is_punct or t.lower_ in LIST_FILLERS for t in listed)
        if not is_list or sentence[1] >= len(doc):
            return False
        return self._list_denied(doc, doc[sentence[1] : sentence[1]], cues, sentence_of[sentence[1]][1])

    @staticmethod
    def _list_denied_before(doc: Doc, entity: Span, cues: Dict[int, int], sentence_start: int) -> bool:
        """Whether the entity is an item of a list after a colon that a cue just before the colon denies:
        "none of these apply: cancer, clots, pregnancy"."""
        i = entity.start - 1
        while i > sentence_start and (doc[i].ent_type or doc[i].text == "," or doc[i].lower_ in LIST_FILLERS):
            i -= 1
        return i > sentence_start and doc[i].text == ":" and (i - 1) in cues

    def _tested_negative(self, doc: Doc, entity: Span, cues: Dict[int, int], sentence_end: int) -> bool:
        """Whether the entity names a test ("a pregnancy test") whose result, later in its sentence, rules it
        out: "did the pregnancy test this morning and gave negative" (past the "and" a denial stops at)."""
        return (entity.end < len(doc) and doc[entity.end].lower_ in self.test_words
                and self._list_denied(doc, entity, cues, sentence_end))

    def _doubt_over_a_denial(self, doc: Doc, entity: Span, doubt: Dict[int, int],
                             negations: Dict[int, int]) -> bool:
        """Whether the only doubt before the entity is a conditional ("if") over a denial nearer to it, and
        none follows it: "if he's never had a stroke" tells he has not ("not sure if he's never had one", "she
        might not be pregnant" stay in doubt)."""
        if not self._scan(doc, entity, negations, -1) or self._scan(doc, entity, doubt, +1, window=len(doc)):
            return False
        nearest_denial = max(i for i in negations if i < entity.start)
        before = [i for i in doubt if i < entity.start]
        return all(i < nearest_denial and doc[i].lower_ in self.conditionals for i in before)

    def _told_again_of_another(self, doc: Doc, entity: Span) -> bool:
        """Whether the condition was told just before as someone else's, no person named between: "the
        baby's had a temperature all night, 38.1" (the 38.1 is the baby's too)."""
        earlier = [e for e in doc.ents if e.end <= entity.start and e.ent_id_ == entity.ent_id_ and e.ent_id_]
        if not earlier or not earlier[-1]._.family:
            return False
        return not any(t.lower_ in self.kind_of or t.norm_ in self.recipient_nouns
                       for t in doc[earlier[-1].end : entity.start])

    @staticmethod
    def _between_neither_and_nor(doc: Doc, entity: Span, sentence: Tuple[int, int]) -> bool:
        """Whether the entity comes between "neither" and a "nor" of its sentence, whatever else is said
        between: "neither a Bandscheibenvorfall, I mean disc prolapse, nor any operation"."""
        return any(t.lower_ == "neither" for t in doc[sentence[0] : entity.start]) and any(
            t.lower_ == "nor" for t in doc[entity.end : sentence[1]])

    @staticmethod
    def _answered_no(doc: Doc, entity: Span, answers: Dict[int, int], doubt: Dict[int, int]) -> bool:
        """Whether the condition is asked and answered no: "fever? nope", "rash or cuts? nope" (a list
        asked) ("pregnant? no idea" is doubt)."""
        asked = entity.end  # past the rest of the list asked, a few words: "rash or cuts? nope"
        while asked < min(len(doc), entity.end + ASKED_LIST_REACH) and doc[asked].text not in SENTENCE_ENDS:
            asked += 1
        answer = asked + 1
        return answer < len(doc) and doc[asked].text == "?" and answers.get(answer) == answer and not any(
            i in doubt for i in range(answer, min(len(doc), answer + 4)))

    def _over_before(self, doc: Doc, start: int) -> bool:
        """Whether a word that says it is over comes just before an ongoing cue ("gone since sunday"), or
        in the clause a "since" begins ("since 15 years he is healthy")."""
        if any(t.lower_ in self.over_before_since for t in doc[max(0, start - 2) : start]):
            return True
        if doc[start].lower_ != "since":
            return False
        for token in doc[start + 1 : start + 1 + self.window]:
            if token.is_punct or token.lower_ in self.terminators:
                return False
            if token.lower_ in self.over_before_since:
                return True
        return False

    @staticmethod
    def _denied(negations: Dict[int, int], i: int) -> bool:
        """Whether a negation comes just before token i ("never happened since", "hasn't healed")."""
        return any(j in negations for j in range(i - NEGATED_CUE_REACH, i))

    def _ages_then(self, doc: Doc) -> Dict[int, int]:
        """Tokens of "when i was 12", "when she was about 30": an age then, so a past time."""
        found = {}
        for token in doc[: max(0, len(doc) - 3)]:
            subject, verb = doc[token.i + 1 : token.i + 3]
            age = next((t for t in doc[token.i + 3 : token.i + 5] if t.lower_ not in self.approximately), None)
            if token.lower_ == "when" and subject.lower_ in self.subjects and verb.lower_ in ("was", "were") and (
                    age is not None and age.like_num):
                found.update({i: token.i for i in range(token.i, age.i + 1)})
        return found

    def _years_then(self, doc: Doc, years_back: int) -> Dict[int, int]:
        """Tokens of "in 1987", "back in 2015": a year at least `years_back` before this one."""
        this_year = datetime.date.today().year
        found = {i: token.i - 1 for token in doc[1:] if token.is_digit and len(token.text) == 4
                 and YEAR_FIRST <= int(token.text) <= this_year - years_back
                 and doc[token.i - 1].lower_ in self.year_prepositions for i in (token.i - 1, token.i)}
        # "in '88": a year of the last century, or of this one up to now.
        for token in doc[2:]:
            if token.is_digit and len(token.text) == 2 and doc[token.i - 1].text in ("'", "’") and (
                    doc[token.i - 2].lower_ in self.year_prepositions):
                century = 2000 if 2000 + int(token.text) <= this_year else 1900
                if century + int(token.text) <= this_year - years_back:
                    found.update({i: token.i - 2 for i in range(token.i - 2, token.i + 1)})
        # "back in nineteen eighty six": a year of the last century said in words (long before this one).
        for token in doc[1:-1]:
            if token.lower_ == "nineteen" and doc[token.i - 1].lower_ in self.year_prepositions and (
                    doc[token.i + 1].lower_ in YEAR_TENS_WORDS):
                found.update({i: token.i - 1 for i in range(token.i - 1, token.i + 2)})
        return found

    def _goes_on(self, doc: Doc, i: int) -> bool:
        """Whether the clause from token i refers back to what came before: its first word, past
        fillers of a correction ("no wait, that was ..."), is one of `refers_back`."""
        while i < len(doc) and (doc[i].is_punct or doc[i].lower_ in self.correction_fillers):
            i += 1
        return i < len(doc) and doc[i].lower_ in self.refers_back

    def _clauses_denied_at_end(self, doc: Doc) -> List[Tuple[int, int]]:
        """(start, end) of each clause that ends in a negation ("fever he has not, operation also
        not", "fever no, rash no"), outside questions ("she's pregnant, is she not?", "with a fever or no" ask)."""
        denied, start, before_colon = [], 0, 0
        for token in doc:
            ends_clause = token.i + 1 == len(doc) or doc[token.i + 1].is_punct
            asks = (token.i + 1 < len(doc) and doc[token.i + 1].text == "?") or doc[token.i - 1].lower_ == "or"
            # A form's answer after a colon: "Asthma: no. Diabetes: no."
            first = before_colon if token.i == start and token.i and doc[token.i - 1].text == ":" else start
            if token.lower_ in self.clause_final_negations and ends_clause and token.i > first and not asks:
                denied.append((first, token.i))
            if token.is_punct:
                before_colon, start = start, token.i + 1
        return denied

    def _recipient(self, doc: Doc, focus: Dict[int, int]) -> Optional[str]:
        """The person massaged or asked about when the message names one by a noun: "I'm massaging
        my husband", "I'm asking about my wife", "mum herself feels fine", "it's my wife I want to
        massage"; or the speaker ("self"): "can my husband do my shoulders", "rub me"."""
        for token in doc[:-1]:
            if doc[token.i + 1].lower_ in self.emphatic and (
                    token.norm_ in self.recipient_nouns or (token.i and token.is_title)):  # "Mr Briggs himself"
                return token.norm_
            if token.i in focus and token.i + 1 not in focus:  # the cleft's focus: "it's (my) wife"
                named = [t for t in doc[token.i + 1 : token.i + 3] if t.is_alpha and not t.is_stop]
                if named and named[0].norm_ in self.recipient_nouns:
                    return self._possessed(named[0]).norm_
                if named and named[0].is_title and any(t.lower_ in self.first_person
                                                        for t in doc[named[0].i + 1 : named[0].i + 3]):
                    return named[0].norm_  # a name: "it's Marge I'm rubbing"
                if self._person_pronoun(doc, token.i + 1):  # "it's him I'm doing" (not "it's her back")
                    return self._antecedent(doc, token.i, self.kind_of[doc[token.i + 1].lower_])
            named_after = [t for t in doc[token.i + 1 : token.i + 4] if t.is_alpha and not t.is_stop]
            if token.norm_ in self.speaker_verbs | self.massage_verbs and named_after and (
                    named_after[0].norm_ in self.recipient_nouns) and (
                    doc[token.i + 1].lower_ not in self.givers_before):
                # "doing my mum's shoulders", "give her husband" ("a back massage from her mom" names who gives it)
                return self._possessed(named_after[0]).norm_
            if token.norm_ in self.massage_verbs and doc[token.i + 1].lower_ in ("my", "our") and named_after and (
                    named_after[0].i == token.i + 2 and named_after[0].norm_ not in self.body_words):
                return named_after[0].norm_  # a relation no list knows: "massaging my tito"
            if token.norm_ in self.recipient_nouns and self._fronted_object(doc, token):
                return self._possessed(token).norm_
            wanted = self._wants_a_massage(doc, token)
            if wanted is not None:
                return wanted
            if token.norm_ in self.speaker_verbs:
                said_after = doc[token.i + 1 : token.i + 4]
                if said_after[0].lower_ in self.speaker or (
                        said_after[0].lower_ == "my" and any(t.norm_ in self.body_words for t in said_after[1:])):
                    return "self"
            if token.norm_ in self.massage_verbs and self._gives_the_speaker_a_massage(doc, token.i):
                return "self"  # "my girlfriend's giving me a back massage"
            if (token.norm_ in self.massage_verbs and doc[token.i + 1].lower_ in self.kind_of) or (
                    token.norm_ in self.speaker_verbs and self._person_pronoun(doc, token.i + 1)):  # "ok to do him"
                in_brackets = self._named_in_brackets(doc, token.i + 2)
                return in_brackets or self._antecedent(doc, token.i, self.kind_of[doc[token.i + 1].lower_])
            if token.norm_ in self.massage_verbs | self.speaker_verbs | self.practice_verbs:
                on = next((t.i for t in doc[token.i + 1 : token.i + 6] if t.lower_ == "on"), None)
                named_on = self._named_on(doc, on) if on is not None else None
                if named_on is not None:  # "practising the technique on my brother", "the back rub on him"
                    return named_on
        return None

    def _gives_the_speaker_a_massage(self, doc: Doc, i: int) -> bool:
        """Whether the verb at i gives the speaker a massage ("give ME a back rub"), none named for another
        after it ("give me a massage routine for my husband")."""
        if doc[i].norm_ != "give" or i + 1 >= len(doc) or doc[i + 1].lower_ not in self.speaker:
            return False  # ("asked me to rub his back": a verb, the one massaged is his)
        noun = next((t for t in doc[i + 2 : i + 5] if t.norm_ in self.massage_nouns), None)
        return noun is not None and any(t.lower_ in ("a", "an", "another") for t in doc[i + 2 : noun.i]) and not any(
            t.lower_ in ("for", "on") for t in doc[noun.i + 1 : noun.i + 3])

    def _named_in_brackets(self, doc: Doc, i: int) -> Optional[str]:
        """The person named in brackets at token i, after a pronoun: "give him (my teammate) a massage"."""
        if i >= len(doc) or doc[i].text != "(":
            return None
        named = next((t for t in doc[i + 1 : i + 4] if t.norm_ in self.recipient_nouns), None)
        return named.norm_ if named is not None else None

    def _fronted_object(self, doc: Doc, token: Token) -> bool:
        """Whether the person named is the one the speaker then says they massage, named first: "but my
        boyfriend I'm going to massage", "a mi bwoyfren mi a go massage" (the massage verb ends its clause)."""
        ahead = doc[token.i + 1 : token.i + 6]
        verb = next((t for t in ahead if t.norm_ in self.massage_verbs), None)
        return verb is not None and (verb.i + 1 == len(doc) or doc[verb.i + 1].is_punct) and any(
            t.lower_ in self.first_person for t in doc[token.i + 1 : verb.i])

    def _wants_a_massage(self, doc: Doc, token: Token) -> Optional[str]:
        """Who wants or needs a massage, named by this token: "my girlfriend wants a massage", "he needs a
        back rub", "my wife wants her shoulders done" (a pronoun stands for the person of its kind named before it)."""
        wants = next((t.i for t in doc[token.i + 1 : token.i + 3] if t.norm_ in self.wanting), None)
        if wants is None or not any(t.norm_ in self.massage_nouns or (
                t.norm_ in self.body_words and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "done")
                for t in doc[wants + 1 : wants + 5]):
            return None
        if token.norm_ in self.recipient_nouns or (token.lower_ in self.kind_of and token.lower_ not in self.pronouns):
            return self._possessed(token).norm_
        if token.lower_ == "one" and token.i >= 3 and doc[token.i - 1].lower_ == "the":
            before = doc[token.i - 2].lower_
            if before in ("'m", "am", "m") or before in self.first_person:
                return "self"  # "I'm the one who needs the massage"
            if before in ("is", "'s", "was") and doc[token.i - 3].norm_ in self.recipient_nouns:
                return self._possessed(doc[token.i - 3]).norm_  # "my wife is the one getting the rub"
        if self._person_pronoun(doc, token.i):
            return self._antecedent(doc, token.i, self.kind_of[token.lower_])
        return None

    def _person_pronoun(self, doc: Doc, i: int) -> bool:
        """Whether token i is a person's pronoun standing alone ("him", not "her back")."""
        following = doc[i + 1] if i + 1 < len(doc) else None
        return doc[i].lower_ in self.pronouns and (following is None or following.norm_ not in self.body_words)

    def _named_on(self, doc: Doc, on: int) -> Optional[str]:
        """The person named after "on" (past "my"): a relation, or a pronoun's antecedent."""
        named = doc[on + 2] if on + 2 < len(doc) and doc[on + 1].lower_ in ("my", "our") else (
            doc[on + 1] if on + 1 < len(doc) else None)
        if named is None:
            return None
        if named.norm_ in self.recipient_nouns:
            return self._possessed(named).norm_
        if self._person_pronoun(doc, named.i):
            return self._antecedent(doc, on, self.kind_of[named.lower_])
        return None

    def _possessed(self, token: Token) -> Token:
        """The person a relation word owns, if any: "brother" in "my brother's wife" gives "wife"."""
        doc = token.doc
        if token.i + 2 < len(doc) and doc[token.i + 1].lower_ in ("'s", "’s") and (
                doc[token.i + 2].norm_ in self.recipient_nouns or doc[token.i + 2].lower_ in self.kind_of):
            return doc[token.i + 2]
        return token

    def _antecedent(self, doc: Doc, before: int, kind: str) -> str:
        """Whom a pronoun of this kind stands for: the nearest person of that kind named before it
        ("... at my boyfriend's, want to give him a massage": the boyfriend), else just the kind."""
        for token in reversed(doc[:before]):
            if token.norm_ in self.recipient_nouns and self.kind_of.get(token.lower_) == kind:
                return str(token.norm_)
        return kind

    def _someone_else(self, recipient: Optional[str], relation: str) -> bool:
        """Whether a relation named is another than the one massaged (a noun, "self", or a kind)."""
        if recipient in ("female", "male"):
            return self.kind_of.get(relation) not in (None, recipient)
        return recipient is not None and self.relation_of.get(recipient, recipient) != self.relation_of.get(
            relation, relation)

    def _another_named(self, doc: Doc, token: Token, recipient: str) -> bool:
        """Whether the token names a person other than the one massaged: a noun after "my" that is no body
        part ("my Tita"), or a person noun of a kind ("the lady") when the one massaged is set apart as
        himself or herself ("Mr Briggs himself has no skin issues") or it is told with an article ("the guy next
        to me at work has shingles, my wife wants her shoulders done")."""
        if token.norm_ in self.family_relation or token.norm_ in self.partners or token.lower_ in self.pronouns:
            return False  # (relations and partners: below)
        set_apart = any(t.lower_ in self.emphatic and doc[t.i - 1].norm_ == recipient for t in doc[1:])
        # (of another kind than the one massaged: "the lady has a rash, I'm massaging my client" may be her)
        recipient_kind = recipient if recipient in ("female", "male") else self.kind_of.get(recipient)
        with_article = token.i > 0 and doc[token.i - 1].lower_ in ("the", "a", "this", "that") and (
            token.lower_ in self.kind_of and token.lower_ not in self.pronouns) and (
            recipient_kind not in (None, self.kind_of.get(token.lower_)))
        person_noun = with_article or (
            set_apart and (token.lower_ in self.kind_of or token.norm_ in self.recipient_nouns))
        my_noun = (token.i > 0 and doc[token.i - 1].lower_ in ("my", "our") and token.is_alpha and not token.is_stop
                   and token.norm_ not in self.body_words and recipient not in ("female", "male"))
        return (person_noun or my_noun) and self._someone_else(recipient, token.norm_)

    def _anothers(self, doc: Doc, entity: Span) -> bool:
        """Whether the entity is told as another's than the speaker's: "broke his leg", "the baby's colic"
        (for when the speaker is the one massaged)."""
        if any(t.lower_ in ("his", "her", "their") for t in doc[max(0, entity.start - 1) : entity.end]):
            return True
        owner = doc[entity.start - 2] if entity.start >= 2 and doc[entity.start - 1].lower_ in ("'s", "’s") else None
        return owner is not None and (owner.norm_ in self.recipient_nouns or owner.lower_ in self.kind_of)

    def _family(self, doc: Doc, entity: Span, sentence_start: int, recipient: Optional[str] = None) -> bool:
        """"Her mother had X", "my wife's dad has X" ("runs in his family": a phrase); "(my) mum had X",
        "our neighbour has X" when the message names someone else as the one massaged or asked about."""
        if recipient == "self" and self._anothers(doc, entity):
            return True  # "can my wife do my shoulders? the baby's colic is brutal"
        i = entity.start - 1
        while i >= sentence_start and entity.start - i <= self.window:
            token = doc[i]
            if token.text in self.punctuation or token.text == "," or (
                    token.lower_ in self.terminators and token.lower_ not in self.clause_adverbs):
                return False
            if token.lower_ in self.animals and token.norm_ not in self.body_words and i > 0 and (
                    doc[i - 1].lower_ in self.animal_owners):
                return True  # "the dog has a temperature" ("her calf is swollen" is her leg)
            if recipient is not None and i > 1 and doc[i - 1].lower_ in ("'s", "’s") and (
                    self._possessed(doc[i - 2]).i == token.i):
                # "my brother's wife is pregnant": hers; someone else's unless it is she who is massaged
                return recipient != token.norm_
            # Anyone else named by a noun, when the message names another as the one massaged: "my Tita has
            # varicose veins but I will massage my cousin", "the lady next door to Mr Briggs has shingles".
            if recipient is not None and self._another_named(doc, token, recipient):
                return True
            if i >= 3 and doc[i - 1].lower_ in ("my", "our", "his", "her") and doc[i - 2].lower_ == "of" and (
                    doc[i - 3].norm_ in self.recipient_nouns) and token.norm_ in self.recipient_nouns:
                return recipient != doc[i - 3].norm_  # "the grandmother of my girlfriend has X": the grandmother's
            # A partner too, when the message names another as the one massaged ("my wife is pregnant,
            # so I'm practising on my brother").
            if token.norm_ in self.family_relation or (recipient is not None and token.norm_ in self.partners):
                owner = doc[i - 1] if i >= 1 else None
                if owner is not None and owner.norm_ in self.recipient_nouns and owner.lower_.endswith("s") and (
                        owner.lower_ != owner.norm_):
                    return True  # "my mums mum had a clot": a possessive without its apostrophe
                if self._someone_else(recipient, token.norm_) or any(
                        doc[j].lower_ in self.family_owner for j in range(max(sentence_start, i - 2), i)):
                    return True
                if recipient is not None:  # the one massaged, named nearer: "grandpa is exhausted"
                    return False
            i -= 1
        return False


def build_clinical_pipeline(state: Dict[str, Any]) -> Language:
    """The recogniser's spaCy pipeline from its trained state (medical.py builds it)."""
    from massage_coach.nlu.language import build_pipeline  # lemma norms, condition phrases

    nlp = build_pipeline(state["patterns"], read_typos=False)  # its own typo_norm, below, knows more
    nlp.remove_pipe("negation_scope")
    recognition = state["recognition"]
    units = recognition.get("glued_units", [])
    if units:  # "2wks", "10yrs": a number and its unit, two words
        suffixes = [*(nlp.Defaults.suffixes or ()), rf"(?<=[0-9])(?:{'|'.join(units)})"]
        tokenizer: Tokenizer = nlp.tokenizer
        tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    nlp.add_pipe("typo_norm", before="entity_ruler",
                 config={"vocabulary": state["typo_vocabulary"], "known": state["known_words"],
                         "clipped": recognition.get("clipped_forms", {}),
                         "foreign_endings": recognition.get("foreign_endings", [])})
    nlp.add_pipe("everyday_senses", before="entity_ruler",
                 config={"word_classes": recognition["word_classes"], "rules": recognition.get("everyday_senses", [])})
    for flag in MESSAGE_FLAGS:
        nlp.add_pipe("message_flag", name=flag, before="entity_ruler", config={
            "flag": flag, "word_classes": recognition["word_classes"], "rules": recognition.get(flag, [])})
    nlp.add_pipe("condition_rules", config={"word_classes": recognition["word_classes"], "rules": recognition["rules"],
                                            "yields_to_rules": recognition.get("yields_to_rules", []),
                                            "sense_members": state.get("sense_members", {})})
    medical = recognition["medical_terms"]
    nlp.add_pipe("medical_terms", config={
        "terms": state["medical_terms"], "organs": state["organs"], "organ_problems": medical["organ_problem"],
        "named_categories": medical["named_categories"], "organ_states": medical.get("organ_state", []),
        "taken_drugs": state.get("taken_drugs", []), "taking": medical.get("taking", []),
        "specialists": state.get("specialists", []), "consult": recognition["word_classes"].get("consult", []),
        "specialist_conditions": medical.get("specialist_conditions", {}),
        "organ_medicines": medical.get("organ_medicine", []), "visits": medical.get("specialist_visits", []),
        "had_organs": state.get("had_organs", []),
        "suffixes": medical["suffixes"], "min_suffix_length": medical["min_suffix_word_length"]})
    nlp.add_pipe("health_statements", config={"phrases": recognition["health_statements"]})
    classes = recognition["word_classes"]
    nlp.add_pipe("clinical_context", config={"context": recognition["context"], "people": recognition.get("people", {}),
                                             "body_words": classes["back_area"] + classes["body_part"],
                                             "animals": classes.get("animal", []),
                                             "same_person": recognition.get("same_person", []),
                                             "person_pronouns": recognition.get("person_pronouns", [])})
    return nlp


@lru_cache(maxsize=1)
def norm_pipeline() -> Language:
    """Tokenizer and lemma norms: how word lists are read, as messages are."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemma_norm")
    return nlp


@Language.factory("message_flag", default_config={"flag": "", "word_classes": {}, "rules": []})
def make_message_flag(nlp: Language, name: str, flag: str, word_classes: Dict[str, List[str]],
                      rules: List[Dict[str, Any]]) -> MessageFlag:
    return MessageFlag(nlp, flag, word_classes, rules)


@Language.factory("condition_rules", default_config={"word_classes": {}, "rules": [], "yields_to_rules": [],
                                                     "sense_members": {}})
def make_condition_rules(nlp: Language, name: str, word_classes: Dict[str, List[str]],
                         rules: List[Dict[str, Any]], yields_to_rules: List[str],
                         sense_members: Dict[str, List[str]]) -> ConditionRules:
    return ConditionRules(nlp, word_classes, rules, yields_to_rules, sense_members)


@Language.factory("everyday_senses", default_config={"word_classes": {}, "rules": []})
def make_everyday_senses(nlp: Language, name: str, word_classes: Dict[str, List[str]],
                         rules: List[Dict[str, Any]]) -> EverydaySenses:
    return EverydaySenses(nlp, word_classes, rules)


@Language.factory("medical_terms", default_config={"terms": [], "organs": [], "organ_problems": [],
                                                   "named_categories": [], "suffixes": [], "min_suffix_length": 7,
                                                   "organ_states": [], "taken_drugs": [], "taking": [],
                                                   "specialists": [], "consult": [], "specialist_conditions": {},
                                                   "organ_medicines": [], "visits": [], "had_organs": []})
def make_medical_terms(nlp: Language, name: str, terms: List[str], organs: List[str], organ_problems: List[str],
                       named_categories: List[str], suffixes: List[str], min_suffix_length: int,
                       organ_states: List[str], taken_drugs: List[str], taking: List[str],
                       specialists: List[str], consult: List[str], specialist_conditions: Dict[str, str],
                       organ_medicines: List[str], visits: List[str], had_organs: List[str]) -> MedicalTerms:
    return MedicalTerms(nlp, terms, organs, organ_problems, named_categories, suffixes, min_suffix_length,
                        organ_states, taken_drugs, taking, specialists, consult, specialist_conditions,
                        organ_medicines, visits, had_organs)


@Language.factory("health_statements", default_config={"phrases": []})
def make_health_statements(nlp: Language, name: str, phrases: List[str]) -> HealthStatements:
    return HealthStatements(nlp, phrases)


@Language.factory("clinical_context", default_config={"context": {}, "body_words": [], "people": {}, "animals": [],
                                                      "same_person": [], "person_pronouns": []})
def make_clinical_context(nlp: Language, name: str, context: Dict[str, Any], body_words: List[str],
                          people: Dict[str, List[str]], animals: List[str], same_person: List[List[str]],
                          person_pronouns: List[str]) -> ClinicalContext:
    return ClinicalContext(nlp, context, body_words, people, animals, same_person, person_pronouns)
