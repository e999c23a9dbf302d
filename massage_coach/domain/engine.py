"""The routine engine: screening, confirmation, navigation, pausing, pacing and safety stops
as transitions over explicit conversation state.

Pure: it imports neither Rasa nor HTTP. Each transition takes a `State` and returns an
`Outcome`: the new state and the replies to send, each a response of domain.yml (the
wording), the values that fill it, its buttons and its typed payload. The actions only
read the state from the tracker, call one transition and send what it returns.

Pacing has this one owner: a step's payload says when a pacing front end moves on
(`pacing`), and the front end sends `/next_step{"timer_step": N}` then. A timer request
for a step the user has already left, or while paused, changes nothing, so a front end's
clock can never skip a step the user chose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Dict, FrozenSet, List, Literal, Mapping, Optional, Sequence, Tuple, cast

from massage_coach.domain import payloads as p
from massage_coach.domain import people, requests, triage, wording
from massage_coach.domain.content import Content
from massage_coach.domain.replies import Reply
from massage_coach.domain.safety import Assessment, assess, none_apply

# Conditions that rule a guided massage out: nothing to confirm, see a physician.
BLOCKING_VERDICTS = ("emergency", "stop", "unknown")
# Verdicts said again when asked again with nothing new ("so can i massage her or not").
STANDING_VERDICTS = ("emergency", "stop", "caution", "unknown")
HEADS_UP_S = 10
TRIAGE = "triage"  # the `awaiting` value while the back-pain question is open
ROUTINE_CHOICE = "routine_choice"  # the `awaiting` value while "Which routine shall we do?" is open
# What says "go on" to "Which routine shall we do?": a stranger says "next", not a routine's name.
GO_ON = ("next_step", "resume_routine", "skip_step", "go_to_step")
NOTHING_SAID = triage.Reply()  # an answer that names neither tension nor a condition
NAVIGATION_INTENTS = ("next_step", "skip_step", "previous_step", "repeat_step", "resume_routine", "restart_routine",
                      "go_to_step", "pause_routine", "routine_progress", "stop_routine")
# Moves that a step number turns into "go to step N": "can we do step two again", "skip to step 8".
MOVES = ("next_step", "skip_step", "previous_step", "repeat_step", "resume_routine", "restart_routine")
# Moves that a technique turns into a jump to a step using it ("skip to the kneading part",
# "back to the stroking"): forward to the next such step, or back to the last one before this.
FORWARD_TO_TECHNIQUE = ("go_to_step", "next_step", "skip_step", "resume_routine")
BACK_TO_TECHNIQUE = ("previous_step", "repeat_step")


@dataclass(frozen=True)
class State:
    """What the conversation remembers (Rasa slots of the same names)."""

    active_routine: Optional[str] = None
    step: Optional[int] = None
    paused: bool = False
    pending_routine: Optional[str] = None  # asked for and behind a question, or just described: "start it" starts it
    awaiting: Optional[str] = None  # screening | confirmation | triage: the question an answer answers
    screened: bool = False
    reported_conditions: Tuple[str, ...] = ()
    safety_verdict: Optional[str] = None
    tension_confirmed: bool = False  # back pain said to be muscle tension: no new triage question
    person: Optional[str] = None  # the kind of person (recognition.yml `people`) the conditions are about
    other_person_conditions: Tuple[str, ...] = ()  # the conditions of the other person, set aside

    def stopped(self) -> "State":
        return replace(self, active_routine=None, step=None, paused=False)

    def settled(self) -> "State":
        """No question open and no routine waiting to start."""
        return replace(self, pending_routine=None, awaiting=None)


@dataclass(frozen=True)
class Outcome:
    state: State
    replies: List[Reply]


class RoutineEngine:
    def __init__(self, content: Content) -> None:
        self.content = content

    # ------------------------------------------------------------------ facts about routines
    def total_steps(self, routine_id: str) -> int:
        return len(self.content.routines[routine_id]["steps"])

    def seconds_from(self, routine_id: str, step: int) -> int:
        """Suggested seconds from the start of `step` (1-based) to the end of the routine."""
        return sum(s["duration_s"] for s in self.content.routines[routine_id]["steps"][step - 1:])

    def blocking_conditions(self, routine_id: str, reported: Sequence[str]) -> List[str]:
        """Reported conditions under which this routine must not be guided at all.

        "caution" conditions (osteochondrosis, spine disease, injury pain) allow only a
        routine meant for professionals, and only after they confirm.
        """
        professional = self.content.routines[routine_id]["audience"] == "professional"
        blocking = []
        for condition_id in reported:
            verdict = self.content.conditions.get(condition_id, {}).get("verdict", "unknown")
            if verdict in BLOCKING_VERDICTS or (verdict == "caution" and not professional):
                blocking.append(condition_id)
        return blocking

    def needs_confirmation(self, routine_id: str, reported: Sequence[str]) -> bool:
        """A professional routine, or any caution condition, needs an explicit yes."""
        return self.content.routines[routine_id]["audience"] == "professional" or any(
            self.content.conditions.get(c, {}).get("verdict") == "caution" for c in reported
        )

    # ------------------------------------------------------------------ payloads
    def routine_name(self, routine_id: str) -> Dict[str, str]:
        return wording.names(self.content, "routines", [routine_id])

    def step_payload(self, routine_id: str, step: int, lead: str = "") -> p.Step:
        entry = self.content.routines[routine_id]["steps"][step - 1]
        total = self.total_steps(routine_id)
        zones = entry.get("zones") or [entry["zone"]]
        spoken_lead = f"{lead} " if lead else ""
        return p.Step(
            routine=routine_id, step=step, total=total, zone=entry["zone"], zones=zones,
            technique=entry["techniques"][0], techniques=entry["techniques"], duration_s=entry["duration_s"],
            instruction=entry["instruction"], lead=lead or None,
            speech=f"{spoken_lead}Step {step} of {total}. {entry['speech']}",
            pacing=p.Pacing(advance_after_s=entry["duration_s"], heads_up=wording.HEADS_UP,
                            heads_up_before_s=min(HEADS_UP_S, entry["duration_s"] // 4)),
            names={**self.routine_name(routine_id),
                   **wording.names(self.content, "zones", zones),
                   **wording.names(self.content, "techniques", entry["techniques"])},
        )

    def progress_payload(self, routine_id: str, step: int) -> p.Progress:
        total = self.total_steps(routine_id)
        return p.Progress(routine=routine_id, step=step, total=total, steps_left=total - step,
                          seconds_left=self.seconds_from(routine_id, step),
                          names=self.routine_name(routine_id))

    def routine_summary(self, routine_id: str) -> p.RoutineSummary:
        routine = self.content.routines[routine_id]
        return p.RoutineSummary(id=routine_id, title=routine["title"], audience=routine["audience"],
                                steps=len(routine["steps"]), minutes=round(self.seconds_from(routine_id, 1) / 60))

    def routine_list(self) -> p.Routines:
        return p.Routines(routines=[self.routine_summary(routine_id) for routine_id in self.content.routines])

    def safety_payload(self, assessment: Assessment, heard: Sequence[str] = ()) -> p.Payload:
        names = wording.names(self.content, "conditions", [*assessment.conditions, *assessment.negated])
        label = wording.VERDICT_LABELS[assessment.verdict]
        if assessment.verdict == "emergency":
            return p.Emergency(conditions=assessment.conditions, label=label, names=names)
        present = [c for c in assessment.conditions if c not in assessment.past]
        return p.Safety(verdict=cast(p.Verdict, assessment.verdict), label=label, conditions=present,
                        negated=assessment.negated, past=list(assessment.past) or None, heard=list(heard) or None,
                        names=names)

    def screening_payload(self, routine_id: str, ruled_out: Sequence[str] = ()) -> p.Screening:
        conditions = [c for c in self.content.conditions_with_verdict("stop") if c not in ruled_out]
        return p.Screening(routine=routine_id, conditions=conditions, expects="none_of_those",
                           names={**self.routine_name(routine_id),
                                  **wording.names(self.content, "conditions", conditions)})

    # ------------------------------------------------------------------ replies
    def overview(self, response: str) -> Reply:
        """The routine list with a start button for each, under the given response's wording."""
        payload = self.routine_list()
        return Reply(
            response, payload,
            fill={"routines": wording.sentence_list(f"{r.title}: {r.steps} steps, about {r.minutes} minutes"
                                                    for r in payload.routines)},
            buttons=[requests.button(f"Start: {r.title}", "start_routine", routine=r.id) for r in payload.routines],
        )

    def routines_for(self, minutes: int) -> Reply:
        """The routine list for the time the person has ("we've got 20 minutes"): the longest routine
        that fits and is not for professionals only, or the shortest when none fits."""
        listed = self.overview("utter_routines_for_time")
        routines = cast(p.Routines, listed.payload).routines
        fitting = [r for r in routines if r.minutes <= minutes]
        pick = max((r for r in fitting if r.audience != "professional"), key=lambda r: r.minutes, default=None)
        response = "utter_routines_for_time"
        if pick is None:
            pick, response = min(routines, key=lambda r: r.minutes), "utter_routines_too_long"
        return replace(listed, response=response,
                       payload=p.Routines(routines=routines, available_minutes=minutes, fits=[r.id for r in fitting]),
                       fill={**listed.fill, "available": minutes, "title": wording.title_in_sentence(pick.title),
                             "minutes": pick.minutes})

    def show_step(self, state: State, routine_id: str, step: int, lead: str = "") -> Outcome:
        """Step `step` of the routine, and the state that is there."""
        reply = Reply("utter_step", self.step_payload(routine_id, step, lead.strip()), fill={
            "lead": lead,
            "instruction": f"Step {step} of {self.total_steps(routine_id)}: "
                           f"{self.content.routines[routine_id]['steps'][step - 1]['instruction']}",
        })
        return Outcome(replace(state, active_routine=routine_id, step=step, paused=False), [reply])

    def begin(self, state: State, routine_id: str) -> Outcome:
        routine = self.content.routines[routine_id]
        switching = state.active_routine not in (None, routine_id)
        opening = Reply("utter_routine_start", fill={
            "title": wording.title_in_sentence(routine["title"]),
            "position": routine["position"],
            "minutes": round(self.seconds_from(routine_id, 1) / 60),
            "total": self.total_steps(routine_id),
        })
        shown = self.show_step(state.settled(), routine_id, 1, "Switching routines. " if switching else "")
        return Outcome(shown.state, [opening, *shown.replies])

    # ------------------------------------------------------------------ transitions
    def describe(self, routine_id: str) -> Reply:
        """"Tell me about the relaxing massage": what it is, how long, how the person lies, its techniques."""
        routine, summary = self.content.routines[routine_id], self.routine_summary(routine_id)
        steps = routine["steps"]
        techniques = list(dict.fromkeys(t for step in steps for t in step["techniques"]))
        zones = list(dict.fromkeys(z for step in steps for z in step.get("zones", [step["zone"]])))
        return Reply(
            "utter_routine_overview",
            p.RoutineOverview(routine=summary, techniques=techniques, zones=zones,
                              names={**self.routine_name(routine_id),
                                     **wording.names(self.content, "techniques", techniques),
                                     **wording.names(self.content, "zones", zones)}),
            fill={"title_in_sentence": wording.title_in_sentence(routine["title"]),
                  "steps": summary.steps, "minutes": summary.minutes, "summary": " ".join(routine["summary"].split()),
                  "position": " ".join(routine["position"].split()),
                  "techniques": wording.join_words(self.content.techniques[t]["name"].lower() for t in techniques)},
            buttons=[requests.button(f"Start: {routine['title']}", "start_routine", routine=routine_id)],
        )

    def list_routines(self, state: State, minutes: Optional[int] = None, routine_id: Optional[str] = None) -> Outcome:
        """"Which routines do you have?"; with the time the person has, the one that fits it; asked about
        one routine ("what's in the quick one?"), that one."""
        if minutes:
            return Outcome(state, [self.routines_for(minutes)])
        if routine_id:
            return Outcome(replace(state, pending_routine=routine_id), [self.describe(routine_id)])
        return Outcome(state, [self.overview("utter_routine_list")])

    def start(self, state: State, requested: Optional[str], ruled_out: Sequence[str] = ()) -> Outcome:
        """"Start the relaxing massage", "let's begin", a start button.

        `ruled_out`: conditions the same message ruled out ("she isn't pregnant, do the relaxing
        one"): answered as ruled out, and the screening asks only about the others."""
        if requested is None and state.active_routine:
            return self.show_step(state, state.active_routine, state.step or 1, "We're in the middle of a routine. ")
        routine_id = requested or state.pending_routine
        if routine_id is None:
            return Outcome(replace(state, awaiting=ROUTINE_CHOICE), [self.which_routine()])
        outcome = self.gate(state, routine_id)
        if ruled_out and outcome.state.awaiting == "screening":
            return self.report(outcome.state, assess(self.content, [], ruled_out))
        return outcome

    def first_choice(self) -> str:
        """The routine "yes" or "next" chooses when asked which one: the first for beginners (else the
        first not for professionals only)."""
        rank = {"beginner": 0, "anyone": 1}
        return min(self.routine_list().routines, key=lambda summary: rank.get(summary.audience, 2)).id

    def which_routine(self) -> Reply:
        """The routine list as a question: a yes (by voice too) chooses the first for beginners."""
        listed = self.overview("utter_which_routine")
        title = self.content.routines[self.first_choice()]["title"]
        return replace(listed, payload=cast(p.Routines, listed.payload).copy(update={"expects": "yes_no"}),
                       fill={**listed.fill, "first": wording.title_in_sentence(title)})

    def gate(self, state: State, routine_id: str) -> Outcome:
        """The gate before a routine: refuse, screen, ask for confirmation, or begin."""
        reported = list(state.reported_conditions)
        blocking = self.blocking_conditions(routine_id, reported)
        if blocking and triage.triggers(self.content, blocking) == blocking:
            # Back pain alone blocks a routine only until the question is answered: ask it.
            return Outcome(replace(state, pending_routine=routine_id, awaiting=TRIAGE), [self.triage_question()])
        if blocking:
            return Outcome(state.settled(), [Reply(
                "utter_routine_blocked", self.safety_payload(assess(self.content, blocking)),
                fill={"names_in_sentence": wording.condition_names(self.content, blocking),
                      "change_hint": triage.change_hint(self.content, blocking)},
            )])
        if not state.screened:
            return Outcome(replace(state, pending_routine=routine_id, awaiting="screening"), [Reply(
                "utter_screening", self.screening_payload(routine_id),
                fill={"title": self.content.routines[routine_id]["title"],
                      "stop_names": wording.stop_names(self.content)},
                buttons=requests.YES_NO_SCREENING,
            )])
        if self.needs_confirmation(routine_id, reported):
            caution = [c for c in reported if self.content.conditions[c]["verdict"] == "caution"]
            if caution:
                response = "utter_confirm_caution"
                fill = {"names_in_sentence": wording.condition_names(self.content, caution)}
            else:
                response = "utter_confirm_professional"
                fill = {"warning": self.content.routines[routine_id]["warning"]}
            confirmation = p.Confirmation(routine=routine_id, audience=self.content.routines[routine_id]["audience"],
                                          expects="yes_no",
                                          names=self.routine_name(routine_id))
            return Outcome(replace(state, pending_routine=routine_id, awaiting="confirmation"),
                           [Reply(response, confirmation, fill, requests.YES_NO_PROFESSIONAL)])
        return self.begin(state, routine_id)

    def answer(self, state: State, yes: bool, reply: triage.Reply = NOTHING_SAID) -> Optional[Outcome]:
        """Yes or no to the question asked last; None when a "no" answers nothing asked
        (then it means none of the contraindications apply: a safety report)."""
        if state.awaiting == "screening":
            if yes:
                verdict = p.Safety(verdict="stop", label=wording.VERDICT_LABELS["stop"], conditions=[], negated=[])
                return Outcome(replace(state.settled(), safety_verdict="stop"),
                               [Reply("utter_screening_yes", verdict)])
            screened = replace(state, screened=True, awaiting=None)
            if state.pending_routine:
                return self.gate(screened, state.pending_routine)
            return Outcome(screened, [])
        if state.awaiting == TRIAGE:
            return self.triage_turn(state, reply)  # a bare yes or no names no alternative: asked again
        if state.awaiting == ROUTINE_CHOICE and yes:  # a "no" here is most often "she's fine": a safety report
            return self.gate(replace(state, awaiting=None), self.first_choice())
        if state.awaiting == "confirmation":
            if yes and state.pending_routine:
                return self.begin(state, state.pending_routine)
            return Outcome(state.settled(), [Reply("utter_not_confirmed", p.Acknowledgement())])
        if yes and state.active_routine:
            # "ok", "got it" between steps: the routine waits for "next".
            return Outcome(state, [Reply("utter_routine_waiting", p.Acknowledgement(), buttons=requests.NAVIGATION)])
        if state.pending_routine and state.awaiting is None:  # a routine was described, nothing asked
            return self.gate(state, state.pending_routine) if yes else Outcome(state.settled(),
                                                                               [Reply("utter_what_next")])
        if yes:
            return Outcome(state, [Reply("utter_what_next")])
        return None

    def command(self, state: State, intent: str, number: Optional[int] = None,
                timer_step: Optional[int] = None, technique: Optional[str] = None,
                routine: Optional[str] = None, last_step: bool = False) -> Outcome:
        """A navigation command during a routine (`number`: a step the user named, `last_step`:
        the routine's last one was named, "skip to the end";
        `timer_step`: the step a pacing front end's clock ran out on; `technique`: one the user
        named, whose step to go to). With no routine running, one the message named starts ("go on
        then, the quick one"), as a start request would."""
        routine_id = state.active_routine
        if not routine_id:
            if timer_step is None:  # said by the user, not a pacing clock
                if routine:
                    return self.start(state, routine)
                if state.awaiting == ROUTINE_CHOICE and intent in GO_ON:
                    return self.gate(replace(state, awaiting=None), self.first_choice())
                if state.pending_routine and state.awaiting in ("screening", "confirmation") and (
                        intent != "stop_routine"):
                    return self.gate(state, state.pending_routine)  # "next" before the answer: the question again
            return Outcome(state, [self.overview("utter_no_routine_running")])
        step = state.step or 1
        if timer_step is not None and (timer_step != step or state.paused or intent != "next_step"):
            return Outcome(state, [Reply(payload=p.Unchanged())])
        # Forward only: "back to the last step" is the one before.
        if last_step and number is None and intent in ("go_to_step", "next_step", "skip_step"):
            number = self.total_steps(routine_id)
        if intent in MOVES and number is not None:
            intent = "go_to_step"
        elif technique is not None and intent in FORWARD_TO_TECHNIQUE + BACK_TO_TECHNIQUE and not (
                intent == "skip_step" and technique in self.techniques_at(routine_id, step)):
            # "Skip the kneading" on a kneading step skips this step, as a bare "skip" does.
            return self.to_technique(state, routine_id, step, technique, backwards=intent in BACK_TO_TECHNIQUE)
        total = self.total_steps(routine_id)
        if intent in ("next_step", "skip_step"):
            if step >= total:
                done = p.RoutineDone(routine=routine_id, names=self.routine_name(routine_id))
                return Outcome(state.stopped(), [Reply(
                    "utter_routine_done", done,
                    fill={"aftercare": wording.sentence_list(self.content.safety["aftercare"])},
                )])
            lead = f"Skipping step {step}. " if intent == "skip_step" else ""
            return self.show_step(state, routine_id, step + 1, lead)
        if intent == "previous_step":
            first = [Reply("utter_first_step")] if step <= 1 else []
            shown = self.show_step(state, routine_id, max(1, step - 1))
            return Outcome(shown.state, first + shown.replies)
        if intent == "resume_routine":
            return self.show_step(state, routine_id, step, "Continuing. ")
        if intent == "restart_routine":
            return self.show_step(state, routine_id, 1, "From the beginning. ")
        if intent == "go_to_step":
            if number is None:
                return Outcome(state, [Reply("utter_which_step", self.progress_payload(routine_id, step))])
            if not 1 <= number <= total:
                return Outcome(state, [Reply(
                    "utter_step_out_of_range", self.progress_payload(routine_id, step),
                    fill={"title": self.content.routines[routine_id]["title"], "total": total},
                )])
            return self.show_step(state, routine_id, number)
        if intent == "pause_routine":
            paused = p.Paused(routine=routine_id, step=step, names=self.routine_name(routine_id))
            return Outcome(replace(state, paused=True), [Reply("utter_paused", paused,
                                                               fill={"step": step, "total": total})])
        if intent == "routine_progress":
            progress = self.progress_payload(routine_id, step)
            return Outcome(state, [Reply("utter_progress", progress, fill={
                "step": step, "total": total, "steps_left": progress.steps_left,
                "minutes": round(progress.seconds_left / 60)})])
        if intent == "stop_routine":
            stopped = p.RoutineStopped(routine=routine_id, step=step,
                                       names=self.routine_name(routine_id))
            return Outcome(state.stopped(), [Reply(
                "utter_routine_stopped", stopped, fill={"title": self.content.routines[routine_id]["title"],
                                                        "step": step})])
        return self.show_step(state, routine_id, step)  # repeat_step, and any other

    def techniques_at(self, routine_id: str, step: int) -> List[str]:
        return self.content.routines[routine_id]["steps"][step - 1]["techniques"]

    def to_technique(self, state: State, routine_id: str, step: int, technique: str, backwards: bool) -> Outcome:
        """The routine's next step that uses `technique` (`backwards`: the last one before this
        step), else this step if it does, else the nearest the other way; none: say so, and stay."""
        total = self.total_steps(routine_id)
        using = [n for n in range(1, total + 1) if technique in self.techniques_at(routine_id, n)]
        name = self.content.techniques[technique]["name"].lower()
        if not using:
            return Outcome(state, [Reply(
                "utter_no_technique_step", self.progress_payload(routine_id, step),
                fill={"title": self.content.routines[routine_id]["title"], "technique": name, "step": step,
                      "total": total},
                buttons=requests.NAVIGATION)])
        later, earlier = [n for n in using if n > step], [n for n in using if n < step]
        here = [step] if step in using else []
        order = [*earlier[::-1], *here, *later] if backwards else [*later, *here, *earlier[::-1]]
        target = order[0]
        lead = (f"On to the {name}. " if target > step else f"Back to the {name}. " if target < step
                else f"This is the {name} step. ")
        return self.show_step(state, routine_id, target, lead)

    def report(self, state: State, assessment: Assessment, denies_all: bool = False,
               heard: Sequence[str] = (), tension: bool = False, tension_only: bool = False,
               said: Optional[Mapping[str, str]] = None, medicines: Sequence[str] = (),
               everyday: bool = False, asked_again: bool = False, doctor_cleared: bool = False,
               routine: Optional[str] = None) -> Outcome:
        """What the user said about the person: the verdict, and what it means for routines.

        `denies_all`: a plain "no" / "none of those" / "he is healthy": none of the listed
        conditions apply. `heard`: medical words no condition names ("lupus"): never cleared.
        `tension`: the words sound like "just muscle tension"; an answer only while the back-pain
        question is open (as an opener, "neck pain from gaming" still gets the question).
        `tension_only`: the recogniser heard muscle tension and no pain ("his shoulders are
        tight"): what a gentle massage is for, so it goes ahead without the question.
        `said`: condition id -> the words it was heard in ("gout" for arthritis), named in the answer.
        `medicines`: those of `heard` that name a medicine ("ibuprofen" for the sore back).
        `everyday`: health words in everyday senses were heard ("sick of her job"); with nothing
        else medical, nothing was said against a massage: the go-ahead, with the list to check.
        `asked_again`: "so can i massage her or not", nothing new said: a standing answer is said again,
        short, for what was told; with none standing, nothing was said against a massage.
        `doctor_cleared`: a doctor's clearance was told ("the cardiologist gave him the all clear"): it is not
        ours to give, so it never turns an answer into a go-ahead; the answer says so.
        `routine`: the routine the same message asks for ("she isn't pregnant, start the quick one"):
        with nothing reported, it is started, and its screening asks about what was not ruled out.
        """
        if (routine and not state.active_routine and not (assessment.conditions or heard or doctor_cleared)
                and (assessment.negated or denies_all)):
            return self.start(state, routine, assessment.negated)
        answering = state.awaiting == TRIAGE
        # Past and over ("a fever last week"): named in this answer, not held against what comes next.
        present = [c for c in assessment.conditions if c not in assessment.past]
        unasked_tension = tension_only and not triage.triggers(self.content, present)
        reply = triage.Reply(present, assessment.negated, tension=(tension and answering) or unasked_tension)
        # Back pain with an illness the guidance does not cover ("endometriosis, and her lower back
        # hurts") is for a physician first, not the muscle-tension question; a painkiller is not.
        illness_heard = any(term not in medicines for term in heard)
        if triage.involved(self.content, reply, answering, state.reported_conditions) and (
                answering or not illness_heard):
            outcome = self.triage_turn(state, reply)
            if not answering:  # tension said unasked answers no question: a later pain still gets it
                outcome = replace(outcome, state=replace(outcome.state, tension_confirmed=state.tension_confirmed))
            return outcome
        nothing_named = assessment.verdict == "unknown" and not assessment.conditions and not heard
        if asked_again and nothing_named and not (denies_all or assessment.negated):
            if state.reported_conditions and state.safety_verdict in STANDING_VERDICTS:
                return Outcome(state, [self.standing_reply(state.reported_conditions)])
            everyday = True
        nothing_medical = nothing_named and everyday and not denies_all
        if nothing_named and not (denies_all or everyday or assessment.negated) and state.active_routine:
            return self.unclear_mid_routine(state)
        if nothing_named and (denies_all or everyday) and not doctor_cleared:
            assessment = none_apply()
        if assessment.verdict == "ok" and heard:  # "no fever, but she has lupus" is not cleared
            assessment = Assessment("unknown", [], assessment.negated)
        # "She's not pregnant after all" corrects what was said before.
        reported = [c for c in wording.unique([*state.reported_conditions, *present]) if c not in assessment.negated]
        # A "no" or ruling out something else does not clear a condition reported earlier:
        # the answer stays what that condition calls for.
        standing = assess(self.content, reported) if assessment.verdict == "ok" and reported else assessment
        state = replace(state, safety_verdict=standing.verdict, reported_conditions=tuple(reported))
        replies = [self.verdict_reply(standing, heard, said or {}, nothing_medical, doctor_cleared)]
        if assessment.verdict == "ok":
            if state.awaiting == "screening" and state.pending_routine:
                # Ruling one condition out does not answer the whole screening question, which
                # names the others: the go-ahead's own list would say them twice.
                if replies[0].response == "utter_safety_ok":
                    replies[0] = replace(replies[0], response="utter_safety_ruled_out")
                replies.append(Reply(
                    "utter_screening_others", self.screening_payload(state.pending_routine, assessment.negated),
                    fill={"stop_names": wording.stop_names(self.content, assessment.negated)},
                    buttons=requests.YES_NO_SCREENING,
                ))
            return Outcome(state, replies)
        # Anything but "ok" ends a running routine and cancels one waiting to start.
        state = state.settled()
        if state.active_routine:
            replies.append(self.ended_for_safety(state))
            state = state.stopped()
        return Outcome(state, replies)

    def standing_reply(self, reported: Sequence[str], reminding: bool = False) -> Reply:
        """The answer for conditions told before, said again short; an emergency in full.
        `reminding`: said before the answer to another question."""
        standing = assess(self.content, list(reported))
        answers = self.content.safety["reminders" if reminding else "standing_answers"]
        if standing.verdict not in answers:
            return self.verdict_reply(standing)
        return Reply("utter_safety_standing", self.safety_payload(standing),
                     fill={"answer": answers[standing.verdict],
                           "names_in_sentence": wording.condition_names(self.content, standing.conditions),
                           "change_hint": triage.change_hint(self.content, standing.conditions)})

    def reminder(self, state: State) -> List[Reply]:
        """Before a how-to answer ("how long should it take?") while the person's conditions rule a
        massage out: the answer alone would read as a go-ahead. Untriaged back pain refuses nothing
        yet (its question does); a running routine was cleared (a professional's, with caution)."""
        conditions = [c for c in state.reported_conditions if c not in self.content.triage["triggers"]]
        if not conditions or state.safety_verdict not in STANDING_VERDICTS or state.active_routine:
            return []
        return [self.standing_reply(conditions, reminding=True)]

    def unclear_mid_routine(self, state: State) -> Outcome:
        """Mid-routine, words taken for health talk in which the recogniser heard nothing medical
        ("he keeps squirming", "my hands are too cold"): most likely discomfort. Ending the
        routine on "I can't tell that it's safe" would strand the user, and going on would not
        be conservative: ease off, pause at this step, and ask to be told any health problem."""
        routine_id = state.active_routine or ""
        step = state.step or 1
        paused = p.Paused(routine=routine_id, step=step, names=self.routine_name(routine_id))
        return Outcome(replace(state, paused=True), [
            self.discomfort_advice(),
            Reply("utter_paused_to_check", paused, fill={"step": step, "total": self.total_steps(routine_id)}),
        ])

    def ended_for_safety(self, state: State) -> Reply:
        routine_id = state.active_routine or ""
        stopped = p.RoutineStopped(routine=routine_id, step=state.step or 1, names=self.routine_name(routine_id))
        return Reply("utter_routine_ended_for_safety", stopped,
                     fill={"title": self.content.routines[routine_id]["title"]})

    def verdict_reply(self, assessment: Assessment, heard: Sequence[str] = (),
                      said: Mapping[str, str] = MappingProxyType({}), nothing_medical: bool = False,
                      doctor_cleared: bool = False) -> Reply:
        """`nothing_medical`: an "ok" because nothing medical was said, not because the list was ruled out.
        `doctor_cleared`: a doctor's clearance was told, which is not ours to give: the answer says so."""
        payload = self.safety_payload(assessment, heard)
        if assessment.verdict == "ok":
            chosen = "utter_safety_ok" if assessment.negated else (
                "utter_safety_nothing_medical" if nothing_medical else "utter_safety_ok_all")
            return Reply(chosen, payload, fill={
                "cleared": f"{wording.condition_names(self.content, assessment.negated)} ruled out",
                "stop_names": wording.stop_names(self.content, assessment.negated),
            })
        names = wording.condition_names(self.content, assessment.conditions)
        return Reply(f"utter_{'emergency' if assessment.verdict == 'emergency' else 'safety_' + assessment.verdict}",
                     payload, fill={
                         "names": wording.capitalised(names),
                         "names_in_sentence": names,
                         "verb": "is" if len(assessment.conditions) == 1 else "are",
                         "advice": " ".join([*wording.taken_as(self.content, said, assessment.conditions),
                                             *(self.content.conditions[c]["advice"] for c in assessment.conditions
                                               if c not in assessment.past),
                                             *([" ".join(self.content.safety["past_condition"].split())]
                                               if assessment.past else []),
                                             *([wording.heard_advice(heard)] if heard else []),
                                             *([" ".join(self.content.safety["doctor_clearance"].split())]
                                               if doctor_cleared and assessment.verdict != "emergency" else [])])
                         or wording.UNMATCHED_CONDITION_ADVICE,
                         "change_hint": triage.change_hint(self.content, assessment.conditions),
                     })

    def not_understood(self, state: State, reason: Literal["out_of_scope", "not_understood"]) -> Outcome:
        """Mid-routine, the useful answer is where we are and the commands that work; while the
        back-pain question is open, the question again ("since yesterday, she lifted a box")."""
        routine_id = state.active_routine
        if not routine_id and state.awaiting == TRIAGE:
            return self.triage_turn(state, NOTHING_SAID)
        if not routine_id:
            return Outcome(state, [Reply("utter_out_of_scope" if reason == "out_of_scope" else "utter_default")])
        step = state.step or 1
        return Outcome(state, [Reply(
            f"utter_{reason}_in_routine",
            p.Fallback(reason=reason, routine=routine_id, step=step,
                       names=self.routine_name(routine_id)),
            fill={"title": self.content.routines[routine_id]["title"], "step": step,
                  "total": self.total_steps(routine_id)},
            buttons=requests.NAVIGATION,
        )])

    def discomfort(self, state: State, reply: triage.Reply = NOTHING_SAID) -> Outcome:
        """"It hurts" / "too hard": lighter pressure; the routine keeps its place. While the
        back-pain question is open, "it hurts mostly at night" answers that instead, and "it hurts
        when I push" gets the advice and the question again."""
        if state.awaiting == TRIAGE and not state.active_routine:
            turn = self.triage_turn(state, reply)
            if turn.state.awaiting == TRIAGE and not (reply.reported or reply.negated):
                return Outcome(turn.state, [self.discomfort_advice(), *turn.replies])
            return turn
        return Outcome(state, [self.discomfort_advice()])

    def discomfort_advice(self) -> Reply:
        advice = self.content.safety["discomfort"]
        return Reply("utter_discomfort", p.Advice(topic="discomfort", speech=advice), fill={"advice": advice})

    def regard_person(self, state: State, named: FrozenSet[str]) -> Outcome:
        """Whom the latest message is about (the kinds of person it names). A message about
        someone else sets the standing conditions aside for that person and takes up the new
        one's (kept from before, if the talk was about them): her stop is not his answer, and
        his go-ahead does not clear her. Says so whenever conditions change hands."""
        if not people.someone_else(state.person, named):
            return Outcome(replace(state, person=people.known_as(state.person, named)), [])
        set_aside, taken_up = state.reported_conditions, state.other_person_conditions
        fresh = replace(state, person=people.only(named), reported_conditions=taken_up,
                        other_person_conditions=set_aside, screened=False, tension_confirmed=False,
                        safety_verdict=assess(self.content, taken_up).verdict if taken_up else None).settled()
        if not (set_aside or taken_up):
            return Outcome(fresh, [])
        return Outcome(fresh, [Reply("utter_someone_else", fill={
            "set_aside": f"What you told me before ({wording.condition_names(self.content, set_aside)}) stays with "
                         "the other person. " if set_aside else "",
            "taken_up": f"For this person you told me about {wording.condition_names(self.content, taken_up)}, "
                        "and that still stands. " if taken_up else "",
        })])

    # ------------------------------------------------------------------ back-pain triage
    def triage_question(self, repeat: bool = False) -> Reply:
        """The one question, with a typed request per answer (content/triage.yml)."""
        content = self.content.triage
        options = [p.TriageOption(id=o["id"], title=o["title"],
                                  request=requests.request("check_condition", condition=o["condition"])
                                  if "condition" in o else requests.request("muscle_tension"))
                   for o in content["options"]]
        payload = p.Triage(conditions=list(content["triggers"]), options=options, repeat=repeat, expects="triage",
                           speech=" ".join(content["speech"].split()),
                           names=wording.names(self.content, "conditions", content["triggers"]))
        return Reply("utter_triage_unclear" if repeat else "utter_triage_question", payload,
                     fill={"question": " ".join(content["question"].split()),
                           "unclear": " ".join(content["unclear"].split())},
                     buttons=[{"title": o.title, "payload": o.request} for o in options])

    def triage_turn(self, state: State, reply: triage.Reply) -> Outcome:
        """One turn of the back-pain triage: ask, ask again, go ahead gently, or escalate."""
        decided = triage.decide(self.content, reply, state.reported_conditions, state.awaiting == TRIAGE,
                                state.tension_confirmed)
        state = replace(state, reported_conditions=tuple(decided.conditions), safety_verdict=decided.verdict,
                        tension_confirmed=decided.tension_confirmed)
        if decided.awaits_answer:
            return Outcome(replace(state, awaiting=TRIAGE),
                           [self.triage_question(repeat=decided.kind == triage.UNCLEAR)])
        state = replace(state, awaiting=None)
        if decided.kind == triage.GO_AHEAD:
            return self.triage_go_ahead(state, decided)
        named = decided.red_flags or [c for c in decided.conditions if c not in self.content.triage["triggers"]]
        escalation = self.verdict_reply(assess(self.content, named))
        outcome = p.TriageOutcome(
            outcome="emergency" if decided.kind == triage.EMERGENCY else "physician",
            verdict=cast(Literal["stop", "caution", "unknown", "emergency"], decided.verdict),
            label=wording.VERDICT_LABELS[decided.verdict], conditions=decided.conditions, red_flags=decided.red_flags,
            names=wording.names(self.content, "conditions", decided.conditions))
        state = state.settled()
        replies = [replace(escalation, payload=outcome)]
        if state.active_routine:
            replies.append(self.ended_for_safety(state))
            state = state.stopped()
        return Outcome(state, replies)

    def triage_go_ahead(self, state: State, decided: triage.Outcome) -> Outcome:
        """Gentle massage: what to avoid, when to stop, then the waiting routine or an offer of one.
        In the middle of a routine there is nothing to offer: "next" carries on."""
        content = self.content.triage["go_ahead"]
        offer = [] if state.pending_routine or state.active_routine else [
            r for r, entry in self.content.routines.items() if entry["audience"] != "professional"]
        payload = p.TriageOutcome(outcome="go_ahead", verdict="ok", label=wording.VERDICT_LABELS["ok"],
                                  conditions=decided.conditions,
                                  red_flags=decided.red_flags, avoid=list(content["avoid"]), routines=offer,
                                  names={**wording.names(self.content, "body_parts", content["avoid"]),
                                         **wording.names(self.content, "routines", offer)})
        reply = Reply("utter_triage_go_ahead", payload, fill={
            "why": " ".join(content["text"].split()),
            "avoid": wording.join_words(self.content.body_parts[b]["name"].lower() for b in content["avoid"]),
            "stop_when": " ".join(content["stop_when"].split()),
            "stop_names": wording.stop_names(self.content),
            "offer": ("Say next to carry on." if state.active_routine else
                      "I can guide you step by step through one of these routines." if offer else ""),
        }, buttons=[requests.button(f"Start: {self.content.routines[r]['title']}", "start_routine", routine=r)
                    for r in offer])
        if state.pending_routine:
            gated = self.gate(state, state.pending_routine)
            return Outcome(gated.state, [reply, *gated.replies])
        return Outcome(state, [reply])
