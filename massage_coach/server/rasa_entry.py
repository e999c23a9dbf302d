"""`python -m massage_coach.server.rasa_entry run ...`: Rasa's own command line, one cost removed.

Rasa Open Source 3.6 checks every action server response with `jsonschema.validate`, which first
checks the response schema itself against JSON Schema's meta-schema: on every custom action, the
same fixed schema. A py-spy profile of a REST turn put that check at ~14 % of the Rasa server's
time (scripts/bench.py's conversations, after the tracker store kept its conversations). Here the
schema is checked once and its validator kept; responses are validated exactly as before (the
same schema, validator class and error, with Rasa's hint added), so a bad response still fails.
The launcher starts Rasa servers through this module; `rasa` itself (train, test) is untouched.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

RASA_HINT = (". Failed to validate Action server response from API, make sure your response from the Action "
             "endpoint is valid. For more information about the format visit {docs}/custom-actions")


@functools.lru_cache(maxsize=None)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the schema checked once."""
    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += RASA_HINT.format(docs=DOCS_BASE_URL)
        raise error
    return True


def main() -> None:
    from rasa.__main__ import main as rasa_main

    RemoteAction._validate_action_result = validate_action_result
    rasa_main()


if __name__ == "__main__":
    main()
