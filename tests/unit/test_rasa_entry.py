"""Rasa started through massage_coach.server.rasa_entry validates action responses as Rasa does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from massage_coach.server.rasa_entry import validate_action_result

RESPONSES = [
    {"events": [{"event": "slot", "name": "step", "value": 3}], "responses": [{"text": "Step 3"}]},
    {"events": [], "responses": []},
    {"events": [{"event": "followup", "name": "action_next"}]},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": "step", "value": 3}], "responses": "not a list"},
]


@pytest.mark.parametrize("response", RESPONSES)
def test_a_response_passes_or_fails_exactly_as_rasas_own_check_decides(response):
    action = RemoteAction("action_check_condition", EndpointConfig("http://127.0.0.1:5055/webhook"))
    try:
        rasa_verdict = action._validate_action_result(response)
    except ValidationError as rasa_error:
        with pytest.raises(ValidationError) as ours:
            validate_action_result(action, response)
        assert ours.value.message == rasa_error.message  # with Rasa's hint to its docs
    else:
        assert validate_action_result(action, response) is rasa_verdict is True
