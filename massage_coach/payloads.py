"""Typed `custom` payloads: the contract every front end renders (docs/payloads.md).

Actions build payloads only through these functions; payload_schema.json describes
them and the tests validate every payload the server sends against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from massage_coach.content import Content
from massage_coach.safety import Assessment
from massage_coach.triage import Outcome

Payload = Dict[str, Any]
SCHEMA_PATH = Path(__file__).with_name("payload_schema.json")


def load_schema() -> Dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def technique(content: Content, technique_id: str) -> Payload:
    entry = content.techniques[technique_id]
    return {"type": "technique", "technique": technique_id, "name": entry["name"], "speech": entry["speech"]}


def technique_list(content: Content) -> Payload:
    return {"type": "techniques", "techniques": list(content.techniques)}


def zone(content: Content, zone_id: str) -> Payload:
    entry = content.zones[zone_id]
    return {"type": "zone", "zone": zone_id, "name": entry["name"], "speech": entry["speech"]}


def zone_list(content: Content) -> Payload:
    return {"type": "zones", "zones": list(content.zones)}


def anatomy(content: Content, part_ids: List[str]) -> Payload:
    parts = [{"id": p, "rule": content.body_parts[p]["rule"]} for p in part_ids]
    payload: Payload = {"type": "anatomy", "parts": parts}
    if len(part_ids) == 1:
        payload["speech"] = content.body_parts[part_ids[0]]["speech"]
    return payload


def duration(content: Content) -> Payload:
    d = content.duration
    return {
        "type": "duration",
        "min_minutes": d["min_minutes"],
        "max_minutes": d["max_minutes"],
        "whole_back_minutes": d["whole_back_minutes"],
    }


def preparation(content: Content) -> Payload:
    return {"type": "preparation", "items": [item["id"] for item in content.preparation["items"]]}


def contraindications(content: Content) -> Payload:
    return {
        "type": "contraindications",
        "conditions": content.conditions_with_verdict("stop"),
        "caution": content.conditions_with_verdict("caution"),
    }


def safety(assessment: Assessment) -> Payload:
    if assessment.verdict == "emergency":
        return {"type": "emergency", "conditions": assessment.conditions}
    return {
        "type": "safety",
        "verdict": assessment.verdict,
        "conditions": assessment.conditions,
        "negated": assessment.negated,
    }


def routine_list(content: Content) -> Payload:
    return {
        "type": "routines",
        "routines": [
            {
                "id": routine_id,
                "title": r["title"],
                "audience": r["audience"],
                "steps": len(r["steps"]),
                "minutes": round(sum(s["duration_s"] for s in r["steps"]) / 60),
            }
            for routine_id, r in content.routines.items()
        ],
    }


def typed_request(intent: str, entities: Dict[str, str] | None = None) -> str:
    """A button's payload: an intent with its entities, taken as is without the NLU."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def triage_question(content: Content, tension_intent: str, repeat: bool = False) -> Payload:
    """The back-pain question; `expects` tells front ends an answer is awaited."""
    triage = content.triage
    options = [
        {"id": o["id"], "title": o["title"],
         "request": typed_request("check_condition", {"condition": o["condition"]}) if "condition" in o
         else typed_request(tension_intent)}
        for o in triage["options"]
    ]
    return {"type": "triage", "conditions": list(triage["triggers"]), "options": options,
            "repeat": repeat, "expects": "triage", "speech": " ".join(triage["speech"].split())}


def triage_outcome(outcome: Outcome, avoid: List[str] = (), routines: List[str] = ()) -> Payload:
    """What the answer to the triage question led to; `avoid` and `routines` when it is go_ahead."""
    payload: Payload = {"type": "triage_outcome", "outcome": outcome.kind, "verdict": outcome.verdict,
                        "conditions": outcome.conditions, "red_flags": outcome.red_flags}
    if outcome.kind == "go_ahead":
        payload.update(avoid=list(avoid), routines=list(routines))
    return payload
