"""MassagePersonQuestion: an unplaced question about massaging a person asks whether to go ahead."""

from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from massage_coach.domain.safety import GO_AHEAD_ENTITY
from massage_coach.nlu.person_questions import MassagePersonQuestion


@pytest.fixture(scope="module")
def component(tmp_path_factory) -> MassagePersonQuestion:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model")))
    trained = MassagePersonQuestion(MassagePersonQuestion.get_default_config(), storage, Resource("person_questions"))
    trained.train(TrainingData())  # the people of content/recognition.yml
    return trained


def processed(component: MassagePersonQuestion, text: str, intent: str = "nlu_fallback",
              confidence: float = 0.3) -> Message:
    message = Message({TEXT: text, INTENT: {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence},
                       ENTITIES: []})
    component.process([message])
    return message


@pytest.mark.parametrize("text", ["can I massage my wife?", "is it safe to rub my nan's back",
                                  "could my bf massage me"])
def test_an_unplaced_question_about_massaging_a_person_asks_to_go_ahead(component, text):
    message = processed(component, text)
    assert message.get(INTENT)[INTENT_NAME_KEY] == "check_condition"
    assert [entity["entity"] for entity in message.get(ENTITIES)] == [GO_AHEAD_ENTITY]


@pytest.mark.parametrize("text, intent", [
    ("she loves a good rub", "nlu_fallback"),            # no question
    ("can I use olive oil?", "nlu_fallback"),            # no person, no massage word
    ("can I massage my wife?", "list_contraindications"),  # the classifier placed it
])
def test_anything_else_is_left_as_it_was(component, text, intent):
    message = processed(component, text, intent)
    assert message.get(INTENT)[INTENT_NAME_KEY] == intent and not message.get(ENTITIES)


def test_a_weak_out_of_scope_is_unplaced_and_a_sure_one_stays(component):
    weak = processed(component, "can my husband massage me", "out_of_scope", 0.3)
    assert weak.get(INTENT)[INTENT_NAME_KEY] == "check_condition"
    sure = processed(component, "can you book me a massage for my wife", "out_of_scope", 0.82)
    assert sure.get(INTENT)[INTENT_NAME_KEY] == "out_of_scope" and not sure.get(ENTITIES)
