"""Answers about techniques, zones, anatomy, duration, preparation and safe practice, from content/."""

from __future__ import annotations

from typing import List, Literal, Sequence

from massage_coach.domain import payloads as p
from massage_coach.domain import requests, wording
from massage_coach.domain.content import Content
from massage_coach.domain.replies import Reply

GuidanceTopic = Literal["beginner_rules", "stop_signs", "aftercare"]


def techniques(content: Content, asked: Sequence[str]) -> List[Reply]:
    """One answer per technique asked about, or the list of all of them."""
    if asked:
        return [Reply("utter_technique", p.Technique(technique=t, name=content.techniques[t]["name"],
                                                    speech=content.techniques[t]["speech"]),
                      fill={k: content.techniques[t][k] for k in ("name", "summary", "how", "where", "pressure")})
                for t in asked]
    ids = list(content.techniques)
    return [Reply(
        "utter_technique_list", p.Techniques(techniques=ids, names=wording.names(content, "techniques", ids)),
        fill={"names": wording.join_words(t["name"].lower() for t in content.techniques.values())},
        buttons=[requests.button(t["name"], "ask_technique", technique=t_id) for t_id, t in content.techniques.items()],
    )]


def zones(content: Content, asked: Sequence[str]) -> List[Reply]:
    if asked:
        return [Reply("utter_zone", p.Zone(zone=z, name=content.zones[z]["name"], speech=content.zones[z]["speech"]),
                      fill={k: content.zones[z][k] for k in ("name", "starts", "ends", "focus")})
                for z in asked]
    ids = list(content.zones)
    listing = wording.sentence_list(f"{z['name']}. Starts: {z['starts']} Ends: {z['ends']}"
                                    for z in content.zones.values())
    return [Reply("utter_zone_list", p.Zones(zones=ids, names=wording.names(content, "zones", ids)),
                  fill={"zones": "\n" + listing})]


def anatomy(content: Content, asked: Sequence[str]) -> List[Reply]:
    def payload(part_ids: Sequence[str]) -> p.Anatomy:
        parts = [p.BodyPart(id=i, rule=content.body_parts[i]["rule"],
                            rule_label=wording.RULE_LABELS[content.body_parts[i]["rule"]]) for i in part_ids]
        speech = content.body_parts[part_ids[0]]["speech"] if len(part_ids) == 1 else None
        return p.Anatomy(parts=parts, speech=speech, names=wording.names(content, "body_parts", part_ids))

    if asked:
        return [Reply("utter_body_part", payload([i]), fill={"name": content.body_parts[i]["name"],
                                                            "advice": content.body_parts[i]["advice"]})
                for i in asked]
    overview = wording.sentence_list(f"{b['name']}: {b['advice']}" for b in content.body_parts.values())
    return [Reply("utter_anatomy_overview", payload(list(content.body_parts)), fill={"overview": overview})]


def duration(content: Content) -> Reply:
    d = content.duration
    return Reply("utter_duration", p.Duration(min_minutes=d["min_minutes"], max_minutes=d["max_minutes"],
                                              whole_back_minutes=d["whole_back_minutes"]),
                 fill={"summary": d["summary"], "notes": wording.sentence_list(d["notes"])})


def preparation(content: Content) -> Reply:
    items = content.preparation["items"]
    return Reply("utter_preparation",
                 p.Preparation(items=[i["id"] for i in items], names={i["id"]: i["text"] for i in items}),
                 fill={"summary": content.preparation["summary"],
                       "items": wording.sentence_list(i["text"] for i in items)})


def guidance(content: Content, topic: GuidanceTopic) -> Reply:
    """How to keep it safe (`beginner_rules`), when to stop (`stop_signs`) or what to do after (`aftercare`)."""
    items = content.safety[topic]
    return Reply(f"utter_guidance_{topic}", p.Guidance(topic=topic, items=items),
                 fill={"items": wording.sentence_list(items)})


def contraindications(content: Content) -> Reply:
    stop, caution = content.conditions_with_verdict("stop"), content.conditions_with_verdict("caution")
    return Reply("utter_contraindications",
                 p.Contraindications(conditions=stop, caution=caution,
                                     names=wording.names(content, "conditions", stop + caution)),
                 fill={"stop_names": wording.stop_names(content),
                       "caution_names": wording.condition_names(content, caution)})
