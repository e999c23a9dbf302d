"""Many conversations at once, and a crashed action server, against the real default servers."""

from __future__ import annotations

import os
import random
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import List, Tuple

from massage_coach.clients.assistant import post_message
from massage_coach.domain.content import load_content
from massage_coach.server.channels import APOLOGY
from massage_coach.server.launcher import Servers
from tests.e2e.test_routines import start, step_of
from tests.support.assistant import PAYLOAD_VALIDATOR, Conversation

CONTENT = load_content()
CLASSIC_STEPS = len(CONTENT.routines["classic"]["steps"])
CONVERSATIONS = 50
TURNS = 20


def guided_session(seed: int) -> Tuple[List[str], int]:
    """A person's 20 turns through the classic routine (screening, navigation, a question
    in the middle) and the step they end on."""
    rng = random.Random(seed)
    messages, position = ["start the classic massage", "none of those"], 1
    while len(messages) < TURNS - 1:
        move = rng.choice(["next", "next", "back", "repeat", "go to", "question"])
        if move == "next" and position < CLASSIC_STEPS - 1:
            messages.append("next")
            position += 1
        elif move == "back" and position > 1:
            messages.append("back")
            position -= 1
        elif move == "go to":
            position = rng.randint(1, CLASSIC_STEPS - 1)
            messages.append(f"go to step {position}")
        elif move == "question":
            messages.append("wait, what is kneading?")
        else:
            messages.append("repeat")
    return messages + ["repeat"], position


def run_session(url: str, seed: int) -> List[str]:
    """Plays one session; returns what went wrong (nothing, when all is well)."""
    sender, (messages, position) = f"load-{seed}-{uuid.uuid4().hex}", guided_session(seed)
    problems = []
    answer = None
    for message in messages:
        try:
            replies = post_message(url, sender, message, timeout=60)
        except OSError as error:
            problems.append(f"{message!r}: {error}")
            continue
        customs = [reply["custom"] for reply in replies if "custom" in reply]
        for custom in customs:
            PAYLOAD_VALIDATOR.validate(custom)
        if not customs or customs[0]["type"] == "fallback":
            problems.append(f"{message!r}: {replies}")
        answer = customs[0] if customs else None
    if answer != {**(answer or {}), "type": "step", "routine": "classic", "step": position}:
        problems.append(f"ended at {answer}, expected step {position}")
    return problems


def test_fifty_conversations_at_once_lose_nothing(servers):
    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        problems = [problem for found in pool.map(lambda seed: run_session(servers.rest_url, seed),
                                                  range(CONVERSATIONS)) for problem in found]
    assert problems == []


def kill_action_server(servers: Servers) -> None:
    process = servers.processes.pop("actions")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_crashed_action_server_gets_an_apology_then_the_same_step(servers):
    conversation = Conversation(servers)
    start(conversation, "guide me through the classic massage", "classic")
    assert step_of(conversation.payload("next")) == 2

    kill_action_server(servers)
    try:
        replies = conversation.say("next")
    finally:
        servers.start_actions()
        servers.wait_actions()
    assert [reply.get("text") for reply in replies if "text" in reply] == [APOLOGY["text"]]
    assert [reply["custom"] for reply in replies if "custom" in reply] == [
        {"type": "fallback", "reason": "unavailable"}]

    assert step_of(conversation.payload("repeat")) == 2
    assert step_of(conversation.payload("next")) == 3
