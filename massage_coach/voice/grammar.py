"""The phrases the voice client listens for, generated from content/ and the NLU data.

A new technique, condition, routine or NLU command phrasing is heard after a restart,
without code changes: names and synonyms come from content/, commands from the short
examples of the command intents in data/nlu/. Carrier phrasings ("what is ...",
"she has ...") are in phrases.yml. Every phrase must be pronounceable from the
recogniser's dictionary; the others are left out and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

import yaml

from massage_coach.content import Content, load_content

PROJECT_DIR = Path(__file__).resolve().parents[2]
PHRASES_PATH = Path(__file__).with_name("phrases.yml")
NLU_DIR = PROJECT_DIR / "data" / "nlu"

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen", "twenty"]
FILLERS = {"um", "uh", "ok", "okay", "so", "oh", "alright", "and", "then"}
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty"}
# The context added to the others while the assistant waits for an answer (phrases.yml).
ASKED = "asked"


def number_words(number: int) -> str:
    """6 -> "six", 26 -> "twenty six": how a step number is spoken."""
    if number <= 20:
        return NUMBER_WORDS[number]
    tens, ones = divmod(number, 10)
    return TENS[tens * 10] + (f" {NUMBER_WORDS[ones]}" if ones else "")


def normalise(text: str) -> str:
    """Lower case words as the recogniser spells them: no punctuation, hyphens as spaces."""
    text = text.lower().replace("’", "'").replace("-", " ")
    text = re.sub(r"[^a-z' ]+", " ", text)
    return " ".join(word.strip("'") for word in text.split() if word.strip("'"))


@dataclass
class Grammar:
    """Every phrase, what the client does with it, and the phrases left out."""

    phrases: Dict[str, str] = field(default_factory=dict)  # phrase -> "send" | a local action
    # phrase -> the contexts ("routine", "idle") it is searched in (phrases.yml `contexts`)
    contexts: Dict[str, Set[str]] = field(default_factory=dict)
    # phrase -> its JSGF weight (phrases.yml `weights`): a phrasing only the NLU data knows loses
    # to a core command unless it fits the audio clearly better.
    weights: Dict[str, float] = field(default_factory=dict)
    unpronounceable: Set[str] = field(default_factory=set)
    # JSGF rules: a rule per carrier family, so phrases share their start ("what is ...").
    rules: Dict[str, List[str]] = field(default_factory=dict)

    def add(self, phrase: str, action: str, known_word, rule: str = "command",
            contexts: Iterable[str] = (), weight: float = 1.0) -> bool:
        phrase = normalise(phrase)
        if not phrase:
            return False
        if not all(known_word(word) for word in phrase.split()):
            self.unpronounceable.add(phrase)
            return False
        if phrase not in self.phrases:
            self.phrases[phrase] = action
            self.weights[phrase] = weight
            self.rules.setdefault(rule, []).append(phrase)
        self.contexts.setdefault(phrase, set()).update(contexts)
        return True

    @property
    def words(self) -> Set[str]:
        return {word for phrase in self.phrases for word in phrase.split()}

    def jsgf(self, context: Optional[str] = None) -> str:
        """The grammar of one context's phrases ("routine", or "routine+asked" for the phrases of
        both); every phrase when `context` is None."""
        lines = ["#JSGF V1.0;", "grammar massage_coach;"]
        names = []
        wanted = set(context.split("+")) if context else set()
        for name, phrases in self.rules.items():
            alternatives = [p for p in phrases if context is None or self.contexts[p] & wanted]
            if alternatives:
                names.append(name)
                lines.append(f"<{name}> = {' | '.join(f'/{self.weights[p]:g}/ {p}' for p in alternatives)};")
        lines.append(f"public <utterance> = {' | '.join(f'<{name}>' for name in names)};")
        return "\n".join(lines) + "\n"


def nlu_examples(intents: Iterable[str], max_words: int) -> List[str]:
    """Short training examples of these intents, as spoken (no typos check: the dictionary does that)."""
    wanted = set(intents)
    examples: List[str] = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if block.get("intent") not in wanted:
                continue
            for line in block["examples"].splitlines():
                text = normalise(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip().lstrip("- ")))
                # Fillers ("um", "uh", "ok so") start phrases the decoder reaches for on any noise.
                if (text and len(text.split()) <= max_words and not re.search(r"\d", line)
                        and text.split()[0] not in FILLERS):
                    examples.append(text)
    return examples


def entity_names(content: Content, entity: str, max_words: int) -> List[str]:
    names = []
    for entry in content.section(entity).values():
        for name in [entry.get("name", ""), *entry["synonyms"]]:
            name = normalise(re.sub(r"\(.*?\)", "", name))
            if name and len(name.split()) <= max_words:
                names.append(name)
    return names


def build_grammar(known_word, content: Optional[Content] = None, spec_path: Path = PHRASES_PATH,
                  content_word=None) -> Grammar:
    """All phrases: NLU command examples, carriers x content names, step numbers, local commands.

    `known_word`: in the recogniser's dictionary (the NLU data holds deliberate typos, which
    it leaves out); `content_word`: also pronounceable otherwise (names like "effleurage").
    """
    content_word = content_word or known_word
    content = content or load_content()
    spec = yaml.safe_load(spec_path.read_text())
    grammar = Grammar()

    def contexts(group: str) -> List[str]:
        return [context for context, groups in spec["contexts"].items() if group in groups]

    def weight(group: str) -> float:
        return float(spec["weights"].get(group, 1.0))

    for phrase, action in spec["local"].items():
        grammar.add(phrase, action, known_word, contexts=contexts("local"))
    for phrase in spec["confirm"]:
        grammar.add(phrase, "confirm", known_word, contexts=contexts("confirm"))
    for group, phrases in spec["always"].items():
        for phrase in phrases:
            grammar.add(phrase, "send", known_word, contexts=contexts(group))
    for intent in spec["nlu_intents"]:
        action = "confirm" if intent in spec["confirm_intents"] else "send"
        for phrase in nlu_examples([intent], spec["max_command_words"]):
            if phrase not in spec["never"]:
                grammar.add(phrase, action, known_word, contexts=contexts(intent), weight=weight("nlu"))
    max_name_words = spec["max_name_words"]
    for entity, carriers in spec["carriers"].items():
        for carrier_number, carrier in enumerate(carriers):
            for name in entity_names(content, entity, max_name_words):
                grammar.add(carrier.replace("{}", name), "send", content_word, f"{entity}_{carrier_number}",
                            contexts(entity))
    max_steps = max(len(routine["steps"]) for routine in content.routines.values())
    for carrier_number, carrier in enumerate(spec["step_number"]):
        for number in range(1, max_steps + 1):
            grammar.add(carrier.replace("{}", number_words(number)), "send", known_word, f"step_{carrier_number}",
                        contexts("step_number"))
    return grammar
