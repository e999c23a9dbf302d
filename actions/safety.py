"""Contraindications and safety verdicts for a person's conditions."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, entity_ids, join_words
from massage_coach import payloads
from massage_coach.safety import NEGATED_ROLE, Assessment, assess, none_apply


SAFETY_RESPONSES = {
    "emergency": "utter_emergency",
    "stop": "utter_safety_stop",
    "caution": "utter_safety_caution",
    "unknown": "utter_safety_unknown",
    "ok": "utter_safety_ok",
}
UNMATCHED_CONDITION_ADVICE = (
    "I couldn't match that to a condition I know, so I can't clear it. Please ask a physician before you massage."
)


def heard_terms(tracker: Tracker) -> List[str]:
    """Medical words the NLU heard that no condition names ("lupus"), not ruled out."""
    return list(dict.fromkeys(
        e["value"] for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == "medical_term" and not e.get("role")
    ))


def heard_advice(terms: List[str]) -> str:
    quoted = join_words(f"'{t}'" for t in terms)
    return (f"I heard {quoted}: the guidance I follow does not cover it, so I can't clear it. "
            "Please ask a physician before you massage.")


def condition_names(ids: List[str]) -> str:
    names = [CONTENT.conditions[c]["name"] for c in ids]
    # Mid-sentence, "Fever or raised temperature" reads as "fever or raised temperature".
    return join_words(n[0].lower() + n[1:] if n[1:2].islower() else n for n in names)


def stop_names(excluding: List[str] = ()) -> str:
    return condition_names([c for c in CONTENT.conditions_with_verdict("stop") if c not in excluding])


class ActionListContraindications(Action):
    def name(self) -> Text:
        return "action_list_contraindications"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(
            response="utter_contraindications",
            stop_names=stop_names(),
            caution_names=condition_names(CONTENT.conditions_with_verdict("caution")),
            json_message=payloads.contraindications(CONTENT),
        )
        return []


class ActionCheckCondition(Action):
    """Gives the safety verdict for what the latest message says about the person."""

    def name(self) -> Text:
        return "action_check_condition"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        assessment = assess(
            CONTENT, entity_ids(tracker, "condition"), entity_ids(tracker, "condition", NEGATED_ROLE)
        )
        heard = heard_terms(tracker)
        if assessment.verdict == "unknown" and not assessment.conditions and not heard and self.denies_all(tracker):
            assessment = none_apply()
        if assessment.verdict == "ok" and heard:  # "no fever, but she has lupus" is not cleared
            assessment = Assessment("unknown", [], assessment.negated)
        # "She's not pregnant after all" corrects what was said before.
        earlier = tracker.get_slot("reported_conditions") or []
        reported = [c for c in dict.fromkeys(earlier + assessment.conditions) if c not in assessment.negated]
        # A "no" or ruling out something else does not clear a condition reported earlier:
        # the answer stays what that condition calls for.
        standing = assess(CONTENT, reported) if assessment.verdict == "ok" and reported else assessment
        self.utter_assessment(dispatcher, standing, heard)
        events = [SlotSet("safety_verdict", standing.verdict), SlotSet("reported_conditions", reported)]
        return events + self.routine_consequences(dispatcher, tracker, assessment)

    @staticmethod
    def routine_consequences(dispatcher: CollectingDispatcher, tracker: Tracker, assessment: Assessment) -> List[Dict]:
        """Anything but "ok" ends a running routine and cancels one waiting to start."""
        if assessment.verdict == "ok":
            if tracker.get_slot("awaiting") == "screening":
                # Ruling one condition out does not answer the whole screening question.
                dispatcher.utter_message(
                    response="utter_screening_others", stop_names=stop_names(assessment.negated),
                    buttons=[{"title": "No, none of them", "payload": "/deny"},
                             {"title": "Yes, one of them", "payload": "/affirm"}],
                )
            return []
        events = [SlotSet("pending_routine", None), SlotSet("awaiting", None)]
        routine_id = tracker.get_slot("active_routine")
        if routine_id:
            dispatcher.utter_message(
                response="utter_routine_ended_for_safety", title=CONTENT.routines[routine_id]["title"],
                json_message={"type": "routine_stopped", "routine": routine_id, "step": int(tracker.get_slot("step") or 1)},
            )
            events += [SlotSet("active_routine", None), SlotSet("step", None), SlotSet("paused", None)]
        return events

    @staticmethod
    def denies_all(tracker: Tracker) -> bool:
        """"No" / "none of those" / "he is healthy": nothing on the list applies."""
        return tracker.latest_message.get("intent", {}).get("name") == "deny" or any(
            e.get("entity") == "health_status" for e in tracker.latest_message.get("entities", []))

    @staticmethod
    def utter_assessment(dispatcher: CollectingDispatcher, assessment: Assessment, heard: List[str] = ()) -> None:
        names = condition_names(assessment.conditions)
        advice = [CONTENT.conditions[c]["advice"] for c in assessment.conditions]
        fill = {
            "names": names[:1].upper() + names[1:],
            "names_in_sentence": names,
            "verb": "is" if len(assessment.conditions) == 1 else "are",
            "advice": " ".join(advice + ([heard_advice(heard)] if heard else [])) or UNMATCHED_CONDITION_ADVICE,
        }
        if assessment.verdict == "ok":
            fill = {"cleared": f"{condition_names(assessment.negated)} ruled out",
                    "stop_names": stop_names(assessment.negated)}
        response = SAFETY_RESPONSES[assessment.verdict]
        if assessment.verdict == "ok" and not assessment.negated:
            response = "utter_safety_ok_all"
        dispatcher.utter_message(response=response, json_message=payloads.safety(assessment), **fill)
