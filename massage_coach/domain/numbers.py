"""Number words, one list for everyone who reads or says a step number: the NLU's entity
ruler, the voice grammar that says them and the voice command reader that hears them."""

from __future__ import annotations

from typing import Dict, Optional

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
            "eighteenth", "nineteenth"]
WORD_VALUES: Dict[str, int] = {**{w: i for i, w in enumerate(UNITS)}, **TENS, **{w: i for i, w in enumerate(ORDINALS)}}


def spoken(number: int) -> str:
    """6 -> "six", 26 -> "twenty six": how a step number is said."""
    if number < len(UNITS):
        return UNITS[number]
    tens, ones = divmod(number, 10)
    word = next(w for w, value in TENS.items() if value == tens * 10)
    return word + (f" {UNITS[ones]}" if ones else "")


def parse_number(text: str) -> Optional[int]:
    """12 -> 12, "twenty five" -> 25, "third" -> 3, "hundred two" -> 102 (a Fahrenheit
    temperature); None when it is not a whole number."""
    total = 0
    for word in text.lower().replace("-", " ").split():
        digits = word.rstrip("stndrh") if word[:1].isdigit() else word  # "3rd" -> "3"
        if digits.isdigit():
            total += int(digits)
        elif word in WORD_VALUES:
            total += WORD_VALUES[word]
        elif word == "hundred":
            total = (total or 1) * 100
        else:
            return None
    return total
