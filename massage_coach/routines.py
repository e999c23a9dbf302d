"""Guided routines: whether one may start, and what each step says.

The position (routine id, step number) lives in the conversation's slots; these
functions only read content/, so any front end gets the same steps.
"""

from __future__ import annotations

from typing import Dict, Iterable, List

from massage_coach.content import Content

Payload = Dict[str, object]

# Conditions that rule a guided massage out: nothing to confirm, see a physician.
BLOCKING_VERDICTS = ("emergency", "stop", "unknown")


def blocking_conditions(content: Content, routine_id: str, reported: Iterable[str]) -> List[str]:
    """Reported conditions under which this routine must not be guided at all.

    "caution" conditions (osteochondrosis, spine disease, injury pain) allow only a
    routine meant for professionals, and only after they confirm.
    """
    professional = content.routines[routine_id]["audience"] == "professional"
    blocking = []
    for condition_id in reported:
        verdict = content.conditions.get(condition_id, {}).get("verdict", "unknown")
        if verdict in BLOCKING_VERDICTS or (verdict == "caution" and not professional):
            blocking.append(condition_id)
    return blocking


def needs_confirmation(content: Content, routine_id: str, reported: Iterable[str]) -> bool:
    """A professional routine, or any caution condition, needs an explicit yes."""
    return content.routines[routine_id]["audience"] == "professional" or any(
        content.conditions.get(c, {}).get("verdict") == "caution" for c in reported
    )


def total_steps(content: Content, routine_id: str) -> int:
    return len(content.routines[routine_id]["steps"])


def seconds_from(content: Content, routine_id: str, step: int) -> int:
    """Suggested seconds from the start of `step` (1-based) to the end of the routine."""
    return sum(s["duration_s"] for s in content.routines[routine_id]["steps"][step - 1:])


def step_payload(content: Content, routine_id: str, step: int, lead: str = "") -> Payload:
    """The step as front ends render it; `lead` says why it is shown ("Skipping step 3.")."""
    entry = content.routines[routine_id]["steps"][step - 1]
    payload: Payload = {
        "type": "step",
        "routine": routine_id,
        "step": step,
        "total": total_steps(content, routine_id),
        "zone": entry["zone"],
        "zones": entry.get("zones") or [entry["zone"]],
        "technique": entry["techniques"][0],
        "techniques": entry["techniques"],
        "duration_s": entry["duration_s"],
        "instruction": entry["instruction"],
        "speech": entry["speech"],
    }
    if lead:
        payload["lead"] = lead
    return payload


def step_text(content: Content, routine_id: str, step: int) -> str:
    entry = content.routines[routine_id]["steps"][step - 1]
    return f"Step {step} of {total_steps(content, routine_id)}: {entry['instruction']}"


def progress_payload(content: Content, routine_id: str, step: int) -> Payload:
    return {
        "type": "progress",
        "routine": routine_id,
        "step": step,
        "total": total_steps(content, routine_id),
        "steps_left": total_steps(content, routine_id) - step,
        "seconds_left": seconds_from(content, routine_id, step),
    }


def screening_payload(content: Content, routine_id: str) -> Payload:
    return {"type": "screening", "routine": routine_id, "conditions": content.conditions_with_verdict("stop")}


def confirmation_payload(content: Content, routine_id: str) -> Payload:
    routine = content.routines[routine_id]
    return {"type": "confirmation", "routine": routine_id, "audience": routine["audience"]}
