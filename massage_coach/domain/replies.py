"""One message of the assistant, before Rasa words it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence

from massage_coach.domain.payloads import Payload
from massage_coach.domain.requests import Button


@dataclass(frozen=True)
class Reply:
    response: Optional[str] = None  # a response of domain.yml (the wording); None: the payload alone
    payload: Optional[Payload] = None
    fill: Dict[str, Any] = field(default_factory=dict)  # the values of the response's {placeholders}
    buttons: Sequence[Button] = ()
