"""Unit tests for massage_coach.domain.content: the loader that guards every fact the assistant says.

Each invalid-content test copies the real content/ into tmp_path, breaks exactly one thing
and checks that ContentError names the file and the field, so a content editor can find
and fix the mistake without reading Python.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple

import pytest
import yaml

from massage_coach.domain.content import (
    ContentError,
    fingerprint,
    load_content,
)
from massage_coach.settings import DEFAULT_CONTENT_DIR

STOP_IDS = {
    "pregnancy", "fever", "vein_disease", "cancer", "heart_disease",
    "skin_disease", "allergy", "recent_surgery", "spine_injury",
}
CAUTION_IDS = {"osteochondrosis", "spine_disease", "injury_pain"}
TECHNIQUE_IDS = {"stroking", "rubbing", "kneading", "squeezing", "pressure", "vibration", "percussion"}
ZONE_IDS = {"collar", "dorsal", "lumbar"}
ROUTINE_IDS = {"classic", "relaxing", "osteochondrosis", "home"}


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private, writable copy of the real content/."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def read_yaml(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: Dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def index_of(entries: List[Dict[str, Any]], entry_id: str) -> int:
    """Position of an entry, so expected field paths follow the file rather than a hard-coded index."""
    return next(i for i, entry in enumerate(entries) if entry["id"] == entry_id)


def load_error(content_dir: Path) -> str:
    with pytest.raises(ContentError) as excinfo:
        load_content(content_dir)
    return str(excinfo.value)


class Expected(NamedTuple):
    """Where the error must point: the file that is reported, the field path and a detail."""

    file: str
    field: str
    detail: str


# --------------------------------------------------------------------------- the real content


def test_real_content_loads_with_every_expected_entry():
    """The shipped content is valid and holds the facts the dialogue relies on."""
    content = load_content(DEFAULT_CONTENT_DIR)

    assert set(content.techniques) == TECHNIQUE_IDS and len(content.techniques) == 7
    assert set(content.zones) == ZONE_IDS and len(content.zones) == 3
    assert set(content.conditions_with_verdict("stop")) == STOP_IDS
    assert set(content.conditions_with_verdict("caution")) == CAUTION_IDS
    assert set(content.routines) == ROUTINE_IDS
    assert content.fingerprint == fingerprint(DEFAULT_CONTENT_DIR)


def test_yaml_round_trip_of_the_copy_is_neutral(content_dir: Path):
    """Guards the other tests: re-dumping every file unchanged must still load,
    so any error in a mutation test comes from the mutation, not from yaml.safe_dump."""
    for path in content_dir.glob("*.yml"):
        write_yaml(path, read_yaml(path))

    content = load_content(content_dir)

    assert set(content.techniques) == TECHNIQUE_IDS


def test_content_dir_comes_from_the_environment(content_dir: Path, monkeypatch):
    """MASSAGE_COACH_CONTENT must really switch the source, or a broken edit would go unnoticed."""
    (content_dir / "techniques.yml").unlink()
    monkeypatch.setenv("MASSAGE_COACH_CONTENT", str(content_dir))

    with pytest.raises(ContentError, match="missing section"):
        load_content()


# --------------------------------------------------------------------------- one mutation each


def technique_without_how(data):
    del data["techniques"][0]["how"]
    return Expected("techniques.yml", "techniques[0]", "'how' is a required property")


def technique_with_unknown_field(data):
    data["techniques"][0]["colour"] = "blue"
    return Expected("techniques.yml", "techniques[0]", "Additional properties are not allowed ('colour'")


def unknown_top_level_section(data):
    data["tips"] = ["Relax."]
    return Expected("techniques.yml", "(top level)", "Additional properties are not allowed ('tips'")


def verdict_not_in_enum(data):
    i = index_of(data["conditions"], "cancer")
    data["conditions"][i]["verdict"] = "maybe"
    return Expected("conditions.yml", f"conditions[{i}].verdict", "'maybe' is not one of")


def condition_id_not_snake_case(data):
    i = index_of(data["conditions"], "fever")
    data["conditions"][i]["id"] = "High-Fever"
    return Expected("conditions.yml", f"conditions[{i}].id", "'High-Fever' does not match")


def step_zone_not_a_zone(data):
    data["routines"][0]["steps"][0]["zone"] = "neck"
    return Expected("routines.yml", "routines[0].steps[0].zone", "'neck' is not one of ['collar', 'dorsal', 'lumbar']")


def step_technique_not_a_technique(data):
    data["routines"][0]["steps"][0]["techniques"] = ["tickling"]
    return Expected("routines.yml", "routines[0].steps[0].techniques[0]", "'tickling' is not one of")


def technique_speech_with_asterisk(data):
    data["techniques"][0]["speech"] = "Stroke *gently* up the back."
    return Expected("techniques.yml", "techniques[0].speech", "does not match")


def step_speech_with_slash(data):
    data["routines"][0]["steps"][0]["speech"] = "Stroke up and/or down the back."
    return Expected("routines.yml", "routines[0].steps[0].speech", "does not match")


def duplicate_condition_id(data):
    i = index_of(data["conditions"], "fever")
    data["conditions"][i]["id"] = "pregnancy"
    return Expected("conditions.yml", f"conditions[{i}].id", "duplicate id 'pregnancy'")


def synonym_in_two_conditions(data):
    i = index_of(data["conditions"], "fever")
    data["conditions"][i]["synonyms"].append("Pregnant")  # differs from 'pregnant' only in case
    return Expected("conditions.yml", f"conditions[{i}].synonyms", "'Pregnant' already names 'pregnancy'")


def phrase_in_two_sections(data):
    i = index_of(data["techniques"], "pressure")
    data["techniques"][i]["synonyms"].append("spine")
    # Techniques are indexed first, so the clash is reported at the body part, naming both places.
    return Expected("anatomy.yml", "body_parts.spine.synonyms",
                    "'spine' is also in {content_dir}/techniques.yml: techniques.pressure.synonyms")


def missing_technique(data):
    data["techniques"].pop(index_of(data["techniques"], "vibration"))
    return Expected("techniques.yml", "techniques", "missing vibration")


def missing_zone(data):
    data["zones"].pop(index_of(data["zones"], "dorsal"))
    return Expected("zones.yml", "zones", "missing dorsal")


def advice_without(word: str, condition_id: str, verdict: str) -> Callable:
    def mutate(data):
        i = index_of(data["conditions"], condition_id)
        data["conditions"][i]["advice"] = "Please do not massage today and rest instead."
        return Expected("conditions.yml", f"conditions.{condition_id}.advice",
                        f"a '{verdict}' answer must mention '{word}'")
    mutate.__name__ = f"{verdict}_advice_without_{word}"
    return mutate


def emergency_advice_saying_stop_again(data):
    i = index_of(data["conditions"], "chest_pain")
    data["conditions"][i]["advice"] = "Stop the massage now. Chest pain can be serious."
    return Expected("conditions.yml", "conditions.chest_pain.advice",
                    "the emergency answer already says 'stop the massage'")


def min_minutes_above_max(data):
    data["duration"]["min_minutes"] = data["duration"]["max_minutes"] + 1
    return Expected("guidance.yml", "duration.min_minutes", "larger than max_minutes")


def minutes_not_an_integer(data):
    data["duration"]["max_minutes"] = "an hour"
    return Expected("guidance.yml", "duration.max_minutes", "'an hour' is not of type 'integer'")


MUTATIONS = [
    # (file to edit, mutation) -- the mutation returns where the error must point.
    ("techniques.yml", technique_without_how),
    ("techniques.yml", technique_with_unknown_field),
    ("techniques.yml", unknown_top_level_section),
    ("conditions.yml", verdict_not_in_enum),
    ("conditions.yml", condition_id_not_snake_case),
    ("routines.yml", step_zone_not_a_zone),
    ("routines.yml", step_technique_not_a_technique),
    ("techniques.yml", technique_speech_with_asterisk),
    ("routines.yml", step_speech_with_slash),
    ("conditions.yml", duplicate_condition_id),
    ("conditions.yml", synonym_in_two_conditions),
    ("techniques.yml", phrase_in_two_sections),
    ("techniques.yml", missing_technique),
    ("zones.yml", missing_zone),
    ("conditions.yml", advice_without("physician", "cancer", "stop")),
    ("conditions.yml", advice_without("physician", "spine_disease", "caution")),
    ("conditions.yml", advice_without("physician", "diabetes", "unknown")),
    ("conditions.yml", emergency_advice_saying_stop_again),
    ("guidance.yml", min_minutes_above_max),
    ("guidance.yml", minutes_not_an_integer),
]


@pytest.mark.parametrize(
    "filename, mutate", MUTATIONS, ids=[mutate.__name__ for _, mutate in MUTATIONS]
)
def test_invalid_content_names_file_and_field(content_dir: Path, filename: str, mutate: Callable):
    """Every broken rule must be reported as '<file>: <field path>: <what is wrong>'."""
    path = content_dir / filename
    data = read_yaml(path)
    expected = mutate(data)
    write_yaml(path, data)

    message = load_error(content_dir)

    assert f"{content_dir / expected.file}: {expected.field}: " in message, message
    assert expected.detail.format(content_dir=content_dir) in message, message


# --------------------------------------------------------------------------- whole-file problems


def test_invalid_yaml_names_the_file(content_dir: Path):
    """A stray bracket must point at the file, not crash with a bare PyYAML traceback."""
    path = content_dir / "zones.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")

    message = load_error(content_dir)

    assert f"{path}: not valid YAML" in message


def test_top_level_list_names_the_file(content_dir: Path):
    """A file that is a list instead of a mapping of sections is rejected by name."""
    path = content_dir / "zones.yml"
    path.write_text("- collar\n- dorsal\n- lumbar\n", encoding="utf-8")

    message = load_error(content_dir)

    assert f"{path}: expected a mapping" in message


def test_section_defined_in_two_files(content_dir: Path):
    """Two definitions of one section would silently shadow each other; both files are named."""
    duration = read_yaml(content_dir / "guidance.yml")["duration"]
    extra = content_dir / "zz_extra.yml"
    write_yaml(extra, {"duration": duration})

    message = load_error(content_dir)

    assert f"{extra}: duration: already defined in {content_dir / 'guidance.yml'}" in message


def test_missing_section(content_dir: Path):
    """Without routines.yml there is nothing to coach; the missing section is named."""
    (content_dir / "routines.yml").unlink()

    message = load_error(content_dir)

    assert str(content_dir) in message
    assert "missing section(s) routines" in message


def test_empty_directory(tmp_path: Path):
    """A wrong MASSAGE_COACH_CONTENT path must fail loudly, not yield an empty assistant."""
    message = load_error(tmp_path)

    assert f"{tmp_path}: no content files" in message


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_is_stable_for_a_copy(content_dir: Path):
    """The hash covers names and bytes only, so the same content elsewhere needs no retraining."""
    assert fingerprint(content_dir) == fingerprint(DEFAULT_CONTENT_DIR)
    assert load_content(content_dir).fingerprint == fingerprint(content_dir)


def test_fingerprint_changes_when_a_file_changes(content_dir: Path):
    """A content edit must change the fingerprint, or the model would not be retrained."""
    before = fingerprint(content_dir)
    path = content_dir / "zones.yml"
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")

    assert fingerprint(content_dir) != before


def test_fingerprint_changes_when_a_file_is_added(content_dir: Path):
    """A new content file is new content too."""
    before = fingerprint(content_dir)
    (content_dir / "extra.yml").write_text("{}\n", encoding="utf-8")

    assert fingerprint(content_dir) != before
