"""Compares three ways of deciding whether a recognised condition is the person's and present
(negation, doubt, family), on the safety test set's cases, with the same entities:

- `clinical_context`: ours (massage_coach/nlu/clinical.py, cues in content/recognition.yml);
- `negation_scope`: the recogniser's earlier component (massage_coach/nlu/language.py);
- medspaCy's ConText with its default English rules, when medspacy can be imported
  (it is no project dependency: `pip install --target /tmp/medspacy medspacy==1.3.1`,
  then run with PYTHONPATH=/tmp/medspacy).

A case counts when every id it expects reported is reported (not negated, not someone
else's) and no id it expects ruled out is reported. Prints figures; asserts nothing.

    python scripts/compare_context.py
"""

from __future__ import annotations

import sys
from typing import Callable, Dict, List, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from massage_coach.domain.content import load_content
from massage_coach.nlu.clinical import CONDITION_LABEL, build_clinical_pipeline
from massage_coach.nlu.medical import recogniser_state
from massage_coach.settings import PROJECT_DIR
from tests.support.safety_eval import PARTS, Case, load_cases, percent

# Kinds of case where context decides: ruled out, someone else's, past, doubtful; and
# plain reports, where a wrong negation would clear a contraindication.
KINDS = ("negated", "family", "historical", "uncertain", "contra", "redflag")


def reported_ids(doc: Doc, negated: Callable, family: Callable) -> Set[str]:
    return {e.ent_id_ for e in doc.ents if e.label_ == CONDITION_LABEL and not negated(e) and not family(e)}


def ours(nlp: Language) -> Callable[[str], Set[str]]:
    return lambda text: reported_ids(nlp(text), lambda e: e._.negated, lambda e: e._.family)


def negation_scope(nlp: Language) -> Callable[[str], Set[str]]:
    nlp.replace_pipe("clinical_context", "negation_scope")
    return lambda text: reported_ids(nlp(text), lambda e: e._.negated, lambda e: False)


def medspacy_context(nlp: Language) -> Callable[[str], Set[str]]:
    import medspacy  # noqa: F401  (registers medspacy_context)

    nlp.remove_pipe("clinical_context")
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("medspacy_context", config={"rules": "default"})

    def run(text: str) -> Set[str]:
        doc = nlp(text)
        return reported_ids(doc, lambda e: e._.is_negated and not e._.is_uncertain, lambda e: e._.is_family)

    return run


def score(cases: List[Case], reported: Callable[[str], Set[str]]) -> Tuple[int, int]:
    passed = 0
    for case in cases:
        found = reported(case.text)
        expected_any = set(case.any_of)
        ok = set(case.conditions) <= found and not (set(case.ruled_out) & found)
        passed += ok and (not expected_any or bool(expected_any & found))
    return passed, len(cases)


def main() -> int:
    content = load_content(PROJECT_DIR / "content")
    state = recogniser_state(content, set())
    methods: Dict[str, Callable[[], Callable[[str], Set[str]]]] = {
        "clinical_context (ours)": lambda: ours(build_clinical_pipeline(state)),
        "negation_scope (before)": lambda: negation_scope(build_clinical_pipeline(state)),
        "medspaCy ConText, default rules": lambda: medspacy_context(build_clinical_pipeline(state)),
    }
    print("| method | " + " | ".join(f"{part}: {kind}" for part in PARTS for kind in ("context cases", "all")) + " |")
    print("|---|" + "---|" * 2 * len(PARTS))
    for name, make in methods.items():
        try:
            reported = make()
        except ImportError as error:
            print(f"| {name} | not installed ({error.name}) |")
            continue
        cells = []
        for part in PARTS:
            cases = [c for c in load_cases(part) if c.kind in KINDS]
            context_cases = [c for c in cases if c.kind not in ("contra", "redflag")]
            cells += [percent(*score(context_cases, reported)), percent(*score(cases, reported))]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
