"""The phrases the voice client listens for, generated from content/ and the NLU data.

A new technique, condition, routine or NLU command phrasing is heard after a restart,
without code changes: names and synonyms come from content/, commands from the short
examples of the command intents in data/nlu/. Carrier phrasings ("what is ...",
"she has ...") are in phrases.yml. Every phrase must be pronounceable from the
recogniser's dictionary; the others are left out and counted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

import yaml

from massage_coach.domain.content import Content, load_content
from massage_coach.domain.numbers import spoken
from massage_coach.settings import PROJECT_DIR

PHRASES_PATH = Path(__file__).with_name("phrases.yml")
NLU_DIR = PROJECT_DIR / "data" / "nlu"

ARTICLES = {"a", "an", "the"}
OPTIONAL_WORDS = re.compile(r"\[[^\]]*\]\s*")  # "[a] " in a carrier
FILLERS = {"um", "uh", "ok", "okay", "so", "oh", "alright", "and", "then"}
# The context added to the others while the assistant waits for an answer (phrases.yml).
ASKED = "asked"


def normalise(text: str) -> str:
    """Lower case words as the recogniser spells them: no punctuation, hyphens as spaces."""
    # "pétrissage" -> "petrissage": accents off, not the letter
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^a-z' ]+", " ", text)
    return " ".join(word.strip("'") for word in text.split() if word.strip("'"))


@dataclass
class Family:
    """Phrases made of one carrier and many names ("she has [a] {}" x condition names), searched
    as one JSGF rule that shares the carrier's words: far fewer paths for the decoder to follow
    than a whole phrase per name."""

    carrier: str
    names: List[str]
    contexts: Set[str]

    def jsgf(self) -> str:
        def filled(carrier: str, names: List[str]) -> str:
            return carrier.replace("{}", f"({' | '.join(names)})")

        # An optional article is left out before a name that has its own ("she has the flu").
        own_article = [name for name in self.names if name.split()[0] in ARTICLES]
        others = [name for name in self.names if name.split()[0] not in ARTICLES]
        bodies = [filled(OPTIONAL_WORDS.sub("", self.carrier), own_article)] if own_article else []
        return " | ".join(bodies + ([filled(self.carrier, others)] if others else []))


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
    commands: List[str] = field(default_factory=list)  # the phrases that are not in a family
    # phrase -> the command intent it is an NLU example of ("next step" -> next_step), whichever
    # group added it: phrases that mean the same to the assistant.
    intents: Dict[str, str] = field(default_factory=dict)
    families: Dict[str, Family] = field(default_factory=dict)

    def _register(self, phrase: str, action: str, contexts: Iterable[str], weight: float) -> bool:
        """Adds a new phrase; False if it was there already."""
        self.contexts.setdefault(phrase, set()).update(contexts)
        if phrase in self.phrases:
            return False
        self.phrases[phrase] = action
        self.weights[phrase] = weight
        return True

    def add(self, phrase: str, action: str, known_word, contexts: Iterable[str] = (), weight: float = 1.0) -> bool:
        phrase = normalise(phrase)
        if not phrase:
            return False
        if not all(known_word(word) for word in phrase.split()):
            self.unpronounceable.add(phrase)
            return False
        if self._register(phrase, action, contexts, weight):
            self.commands.append(phrase)
        return True

    def add_family(self, rule: str, carrier: str, names: Iterable[str], known_word, contexts: Iterable[str]) -> None:
        """ "what is {}" x names, all sent to the assistant; names with an unknown word are left out."""
        family = self.families.setdefault(rule, Family(carrier, [], set(contexts)))
        for name in names:
            phrases = [normalise(phrase) for phrase in with_and_without_optional_words(carrier.replace("{}", name))]
            if not all(known_word(word) for phrase in phrases for word in phrase.split()):
                self.unpronounceable.update(phrases)
            elif name not in family.names:
                family.names.append(name)
                for phrase in phrases:
                    self._register(phrase, "send", contexts, 1.0)

    @property
    def words(self) -> Set[str]:
        return {word for phrase in self.phrases for word in phrase.split()}

    @staticmethod
    def searched(contexts: Set[str], context: Optional[str]) -> bool:
        """Is a phrase of these contexts searched in `context` ("routine", or "routine+asked" for
        the phrases of both; every phrase for None or "")?"""
        return not context or bool(contexts & set(context.split("+")))

    def jsgf(self, context: Optional[str] = None) -> str:
        """The grammar of one context's phrases (see `searched`)."""
        rules = {}
        commands = [phrase for phrase in self.commands if self.searched(self.contexts[phrase], context)]
        if commands:
            rules["command"] = " | ".join(f"/{self.weights[phrase]:g}/ {phrase}" for phrase in commands)
        for name, family in self.families.items():
            if family.names and self.searched(family.contexts, context):
                rules[name] = family.jsgf()
        lines = ["#JSGF V1.0;", "grammar massage_coach;", *(f"<{name}> = {body};" for name, body in rules.items()),
                 f"public <utterance> = {' | '.join(f'<{name}>' for name in rules)};"]
        return "\n".join(lines) + "\n"


def nlu_examples(intents: Iterable[str], max_words: int) -> Dict[str, List[str]]:
    """intent -> its training examples of up to `max_words` words, as spoken (no typos check: the
    dictionary does that), in the order of the data."""
    examples: Dict[str, List[str]] = {intent: [] for intent in intents}
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if block.get("intent") not in examples:
                continue
            for line in block["examples"].splitlines():
                text = normalise(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip().lstrip("- ")))
                # Fillers ("um", "uh", "ok so") start phrases the decoder reaches for on any noise.
                if (text and len(text.split()) <= max_words and not re.search(r"\d", line)
                        and text.split()[0] not in FILLERS):
                    examples[block["intent"]].append(text)
    return examples


def with_and_without_optional_words(phrase: str) -> List[str]:
    """"she has [a] fever" -> ["she has fever", "she has a fever"]; the words in brackets are left
    out where the next word already is an article ("she has [a] the flu")."""
    match = OPTIONAL_WORDS.search(phrase)
    if not match:
        return [phrase]
    without = phrase[:match.start()] + phrase[match.end():]
    follows = phrase[match.end():].split()[:1]
    with_words = phrase[:match.start()] + match.group().strip()[1:-1] + " " + phrase[match.end():]
    variants = with_and_without_optional_words(without)
    if follows and follows[0] not in ARTICLES:
        variants += with_and_without_optional_words(with_words)
    return variants


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
    """All phrases: NLU command examples, carriers x content names, step numbers, local commands,
    the back-pain question's answers.

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
        grammar.add(phrase, action, known_word, contexts=contexts("local"), weight=weight("local"))
    for phrase in spec["confirm"]:
        grammar.add(phrase, "confirm", known_word, contexts=contexts("confirm"), weight=weight("confirm"))
    for group, phrases in spec["always"].items():
        for phrase in phrases:
            grammar.add(phrase, "send", known_word, contexts=contexts(group), weight=weight(group))
    # Up to six words, to know what the longer phrases of the other groups mean ("how long is left").
    examples = nlu_examples(spec["nlu_intents"], max_words=6)
    for intent, phrases in examples.items():
        action = "confirm" if intent in spec["confirm_intents"] else "send"
        for phrase in phrases:
            if len(phrase.split()) <= spec["max_command_words"] and phrase not in spec["never"]:
                grammar.add(phrase, action, known_word, contexts=contexts(intent), weight=weight("nlu"))
    for intent, phrases in examples.items():
        for phrase in phrases:
            if phrase in grammar.phrases:
                grammar.intents.setdefault(phrase, intent)
    # The answers to the back-pain question (content/triage.yml), as its buttons say them.
    for option in content.triage["options"]:
        grammar.add(option["title"], "send", content_word, contexts=contexts("triage"), weight=weight("triage"))
    max_name_words = spec["max_name_words"]
    for entity, carriers in spec["carriers"].items():
        for carrier_number, carrier in enumerate(carriers):
            grammar.add_family(f"{entity}_{carrier_number}", carrier, entity_names(content, entity, max_name_words),
                               content_word, contexts(entity))
    max_steps = max(len(routine["steps"]) for routine in content.routines.values())
    for carrier_number, carrier in enumerate(spec["step_number"]):
        grammar.add_family(f"step_{carrier_number}", carrier, [spoken(n) for n in range(1, max_steps + 1)],
                           known_word, contexts("step_number"))
    return grammar
