"""The routine engine on the real content: who may start what, and what a step says."""

import jsonschema
import pytest

from massage_coach import payloads
from massage_coach import routines as engine
from massage_coach.content import load_content

CONTENT = load_content()
VALIDATOR = jsonschema.Draft7Validator(payloads.load_schema())


@pytest.mark.parametrize(
    "routine, reported, blocking",
    [
        ("classic", [], []),
        ("classic", ["pregnancy"], ["pregnancy"]),
        ("classic", ["diabetes"], ["diabetes"]),  # cannot be cleared, so no guided massage
        ("classic", ["chest_pain"], ["chest_pain"]),
        ("classic", ["osteochondrosis"], ["osteochondrosis"]),  # professional only
        ("osteochondrosis", ["osteochondrosis"], []),  # ...which this routine is for
        ("osteochondrosis", ["fever", "osteochondrosis"], ["fever"]),
    ],
)
def test_blocking_conditions(routine, reported, blocking):
    assert engine.blocking_conditions(CONTENT, routine, reported) == blocking


@pytest.mark.parametrize(
    "routine, reported, needed",
    [("classic", [], False), ("home", [], False), ("osteochondrosis", [], True),
     ("osteochondrosis", ["osteochondrosis"], True)],
)
def test_needs_confirmation(routine, reported, needed):
    assert engine.needs_confirmation(CONTENT, routine, reported) is needed


def test_every_step_of_every_routine_fits_the_contract():
    for routine_id, routine in CONTENT.routines.items():
        for n in range(1, len(routine["steps"]) + 1):
            payload = engine.step_payload(CONTENT, routine_id, n)
            VALIDATOR.validate(payload)
            assert payload["technique"] in payload["techniques"]
            assert payload["instruction"] == routine["steps"][n - 1]["instruction"]
            assert engine.step_text(CONTENT, routine_id, n).startswith(f"Step {n} of {len(routine['steps'])}: ")


def test_the_whole_back_routines_take_about_45_minutes():
    assert 40 * 60 <= engine.seconds_from(CONTENT, "classic", 1) <= 50 * 60


def test_progress_counts_from_the_current_step():
    steps = CONTENT.routines["relaxing"]["steps"]
    progress = engine.progress_payload(CONTENT, "relaxing", 4)
    assert (progress["steps_left"], progress["seconds_left"]) == (len(steps) - 4,
                                                                 sum(s["duration_s"] for s in steps[3:]))
