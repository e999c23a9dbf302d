"""`python -m scripts.check_scores RESULTS_DIR`: fails when `rasa test` scores drop.

`rasa test --fail-on-prediction-errors` already fails on any wrong test-story turn;
this adds the intent accuracy on the held-out phrasings (tests/nlu_heldout.yml),
which are never used for training.
"""

import json
import sys
from pathlib import Path

MIN_HELDOUT_INTENT_ACCURACY = 0.97
MIN_INTENT_F1 = 0.85


def main(results_dir: str) -> int:
    report = json.loads((Path(results_dir) / "intent_report.json").read_text())
    failures = []
    accuracy = report["accuracy"]
    print(f"held-out intent accuracy: {accuracy:.3f} (minimum {MIN_HELDOUT_INTENT_ACCURACY})")
    if accuracy < MIN_HELDOUT_INTENT_ACCURACY:
        failures.append(f"intent accuracy {accuracy:.3f} < {MIN_HELDOUT_INTENT_ACCURACY}")
    for intent, scores in sorted(report.items()):
        if isinstance(scores, dict) and "f1-score" in scores and not intent.endswith(" avg"):
            print(f"  {intent:24s} f1 {scores['f1-score']:.2f}  support {scores['support']}")
            if scores["f1-score"] < MIN_INTENT_F1:
                failures.append(f"{intent} f1 {scores['f1-score']:.2f} < {MIN_INTENT_F1}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results"))
