"""The one loader for content/: every fact the assistant says comes from these YAML files.

Each file is checked against content_schema.yml, then the files are merged and
cross-checked (ids and synonyms unique, every technique and zone present).
An error names the file and the field, so a content editor can fix it alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import jsonschema
import yaml

from massage_coach.settings import content_dir as configured_content_dir

SCHEMA_PATH = Path(__file__).with_name("content_schema.yml")

# Entity label -> the content section whose entries it names.
ENTITY_SECTIONS = {
    "technique": "techniques",
    "zone": "zones",
    "body_part": "body_parts",
    "condition": "conditions",
    "routine": "routines",
}
# What an inner "the" of a synonym may also be said as ("the small of her back").
POSSESSIVES = ("his", "her", "their", "my", "your")
REQUIRED_SECTIONS = (*ENTITY_SECTIONS.values(), "duration", "preparation", "safety", "triage")
# Every safety answer points somewhere: a physician, or emergency services.
REQUIRED_ADVICE_WORDS = {"stop": "physician", "caution": "physician", "unknown": "physician"}
# The emergency answer (`utter_emergency`) says these before the condition's advice: said again,
# a person with their hands on someone hears "stop the massage now" twice.
EMERGENCY_ANSWER_SAYS = ("stop the massage", "emergency services")


class ContentError(ValueError):
    """A content file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Content:
    """Validated content: each entity section maps id -> entry, in file order."""

    techniques: Dict[str, Dict[str, Any]]
    zones: Dict[str, Dict[str, Any]]
    body_parts: Dict[str, Dict[str, Any]]
    conditions: Dict[str, Dict[str, Any]]
    routines: Dict[str, Dict[str, Any]]
    duration: Dict[str, Any]
    preparation: Dict[str, Any]
    safety: Dict[str, Any]
    triage: Dict[str, Any]
    fingerprint: str
    # How health talk is recognised beyond the condition phrases (content/recognition.yml).
    recognition: Dict[str, Any] = field(default_factory=dict)
    # How people point at a routine beyond its synonyms (content/routines.yml).
    routine_references: Dict[str, Any] = field(default_factory=dict)

    def section(self, entity: str) -> Dict[str, Dict[str, Any]]:
        return getattr(self, ENTITY_SECTIONS[entity])

    def phrases(self, entity: str) -> Iterator[Tuple[str, str]]:
        """(id, phrase) pairs: every synonym that names an entry, and its possessive forms.

        "the middle of the back" is also "the middle of her back": an inner "the" may be
        any possessive, unless that form is a synonym of its own somewhere.
        """
        taken = {phrase.lower() for section in ENTITY_SECTIONS
                 for e in self.section(section).values() for phrase in e["synonyms"]}
        for entry_id, entry in self.section(entity).items():
            for phrase in entry["synonyms"]:
                yield entry_id, phrase
                words = phrase.split()
                for i in [i for i, word in enumerate(words) if word == "the" and i > 0]:
                    for possessive in POSSESSIVES:
                        variant = " ".join([*words[:i], possessive, *words[i + 1:]])
                        if variant.lower() not in taken:
                            yield entry_id, variant

    def conditions_with_verdict(self, verdict: str) -> List[str]:
        """Ids with this verdict, in file order; stop signs such as sharp pain excluded."""
        return [cid for cid, c in self.conditions.items() if c["verdict"] == verdict and not c.get("stop_sign")]


def fingerprint(content_dir: Path) -> str:
    """Hash of every content file, so a content edit retrains the model."""
    digest = hashlib.sha256()
    for path in sorted(Path(content_dir).glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _field_path(error: jsonschema.ValidationError) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".") or "(top level)"


def read_yaml(text: str) -> Any:
    """`yaml.safe_load`, through libyaml when PyYAML has it (the same documents, ~10x faster:
    content/ in 0.12 s instead of 1.2 s at every process's start)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_file(path: Path, validator: jsonschema.Draft7Validator) -> Dict[str, Any]:
    try:
        data = read_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping of sections at the top level")
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{path}: {_field_path(e)}: {e.message}" for e in errors[:10]]
        raise ContentError("\n".join(lines))
    return data


def _index_entries(section: str, entries: List[Dict[str, Any]], path: Path) -> Dict[str, Dict[str, Any]]:
    indexed: Dict[str, Dict[str, Any]] = {}
    owner_of_phrase: Dict[str, str] = {}
    for position, entry in enumerate(entries):
        entry_id = entry["id"]
        if entry_id in indexed:
            raise ContentError(f"{path}: {section}[{position}].id: duplicate id '{entry_id}'")
        indexed[entry_id] = entry
        for field_name in ("synonyms", "words"):
            for phrase in entry.get(field_name, []):
                key = f"{field_name}:{phrase.strip().lower()}"
                owner = owner_of_phrase.setdefault(key, entry_id)
                if owner != entry_id:
                    raise ContentError(
                        f"{path}: {section}[{position}].{field_name}: '{phrase}' already names '{owner}'"
                    )
    return indexed


def _check_triage(sections: Dict[str, Any], path: Path) -> None:
    """The triage question names only conditions and body parts the content knows."""
    triage = sections["triage"]
    references = [("triggers", c, "conditions") for c in triage["triggers"]]
    references += [("red_flags", c, "conditions") for c in triage["red_flags"]]
    references += [("options.condition", o["condition"], "conditions") for o in triage["options"] if "condition" in o]
    references += [("go_ahead.avoid", p, "body_parts") for p in triage["go_ahead"]["avoid"]]
    for where, ref, section in references:
        if ref not in sections[section]:
            raise ContentError(f"{path}: triage.{where}: '{ref}' is not an id in {section}")
    if sum("condition" not in o for o in triage["options"]) != 1:
        raise ContentError(f"{path}: triage.options: exactly one option (muscle tension) has no condition")


# Sequence items that are no word class: any number, a number with a decimal point.
RULE_SPECIAL_ITEMS = ("NUMBER", "DECIMAL")


def _check_recognition(recognition: Dict[str, Any], conditions: Dict[str, Any], path: Path) -> None:
    """Every rule names a known condition and only defined word classes."""
    classes = recognition["word_classes"]
    for position, condition in enumerate(recognition.get("yields_to_rules", [])):
        if condition not in conditions:
            raise ContentError(f"{path}: recognition.yields_to_rules[{position}]: unknown condition '{condition}'")
    for position, rule in enumerate(recognition["rules"]):
        where = f"{path}: recognition.rules[{position}]"
        if rule["condition"] not in conditions:
            raise ContentError(f"{where}.condition: unknown condition '{rule['condition']}'")
        for item in rule["sequence"]:
            if item not in classes and item not in RULE_SPECIAL_ITEMS and item[0] not in "=^/":
                raise ContentError(f"{where}.sequence: '{item}' is no word class, NUMBER, DECIMAL, =word, ^word "
                                   "or /regex/")
        if "followed_by" in rule and rule["followed_by"] not in classes:
            raise ContentError(f"{where}.followed_by: '{rule['followed_by']}' is no word class")
        if "not_about" in rule and not {rule["not_about"], "person"} <= set(classes):
            raise ContentError(f"{where}.not_about: needs the word classes '{rule['not_about']}' and 'person'")
    for key in ("everyday_senses", "go_ahead_again", "doctor_clearance"):
        for position, rule in enumerate(recognition.get(key, [])):
            for item in rule["sequence"]:
                if item not in classes and item not in RULE_SPECIAL_ITEMS and item[0] not in "=^/":
                    raise ContentError(f"{path}: recognition.{key}[{position}].sequence: '{item}' is no "
                                       "word class, =word, ^word or /regex/")
            unknown = [name for name in [*rule.get("not_after", []), *rule.get("followed_by", "").split()]
                       if name not in classes]
            if unknown:
                raise ContentError(f"{path}: recognition.{key}[{position}]: '{unknown[0]}' is no word class")
    for name in recognition.get("word_class_senses", {}):
        if name not in classes:
            raise ContentError(f"{path}: recognition.word_class_senses: '{name}' is no word class")


def load_content(content_dir: Path | str | None = None) -> Content:
    """Reads, validates and merges content/*.yml. Raises ContentError naming file and field."""
    content_dir = Path(content_dir) if content_dir else configured_content_dir()
    files = sorted(content_dir.glob("*.yml"))
    if not files:
        raise ContentError(f"{content_dir}: no content files (*.yml) found")
    validator = jsonschema.Draft7Validator(yaml.safe_load(SCHEMA_PATH.read_text()))

    sections: Dict[str, Any] = {}
    source_of: Dict[str, Path] = {}
    for path in files:
        for section, value in _read_file(path, validator).items():
            if section in sections:
                raise ContentError(f"{path}: {section}: already defined in {source_of[section]}")
            sections[section] = value
            source_of[section] = path

    missing = [s for s in REQUIRED_SECTIONS if s not in sections]
    if missing:
        raise ContentError(f"{content_dir}: missing section(s) {', '.join(missing)} in every file")

    owner_of_phrase: Dict[str, Tuple[str, str]] = {}  # phrase -> (section, where it is)
    for section in ENTITY_SECTIONS.values():
        sections[section] = _index_entries(section, sections[section], source_of[section])
        for entry_id, entry in sections[section].items():
            for phrase in entry["synonyms"]:
                here = f"{source_of[section]}: {section}.{entry_id}.synonyms"
                owner_section, owner = owner_of_phrase.setdefault(phrase.strip().lower(), (section, here))
                if owner_section != section:
                    raise ContentError(f"{here}: '{phrase}' is also in {owner}; a phrase must name one thing")

    schema_ids = validator.schema["definitions"]
    for section, definition in (("techniques", "technique_id"), ("zones", "zone_id")):
        absent = set(schema_ids[definition]["enum"]) - set(sections[section])
        if absent:
            raise ContentError(f"{source_of[section]}: {section}: missing {', '.join(sorted(absent))}")

    for condition_id, condition in sections["conditions"].items():
        where, advice = f"{source_of['conditions']}: conditions.{condition_id}.advice", condition["advice"].lower()
        if condition["verdict"] == "emergency":
            repeated = [words for words in EMERGENCY_ANSWER_SAYS if words in advice]
            if repeated:
                raise ContentError(f"{where}: the emergency answer already says '{repeated[0]}'")
            continue
        must_say = REQUIRED_ADVICE_WORDS[condition["verdict"]]
        if must_say not in advice:
            raise ContentError(f"{where}: a '{condition['verdict']}' answer must mention '{must_say}'")

    _check_triage(sections, source_of["triage"])
    if "recognition" in sections:
        _check_recognition(sections["recognition"], sections["conditions"], source_of["recognition"])

    duration = sections["duration"]
    if duration["min_minutes"] > duration["max_minutes"]:
        raise ContentError(f"{source_of['duration']}: duration.min_minutes: larger than max_minutes")

    return Content(**sections, fingerprint=fingerprint(content_dir))
