"""Pronunciations for words the recogniser's dictionary lacks ("effleurage", "petrissage"),
from espeak-ng's own phonemes, so new content words are heard without a dictionary edit."""

from __future__ import annotations

import re
import subprocess
from typing import Dict, List, Optional

# espeak-ng's English phoneme mnemonics (`espeak-ng -x`) -> CMU/ARPAbet phones.
ESPEAK_TO_ARPABET: Dict[str, str] = {
    "aI@": "AY ER", "aI3": "AY ER", "aU@": "AW ER", "i@3": "IH R", "eI": "EY", "aI": "AY", "aU": "AW",
    "oU": "OW", "OI": "OY", "e@": "EH R", "i@": "IH R", "U@": "UH R", "A@": "AA R", "O@": "AO R",
    "o@": "AO R", "A:": "AA", "O:": "AO", "i:": "IY", "u:": "UW", "3:": "ER", "@L": "AH L", "@2": "AH",
    "@5": "AH", "a#": "AH", "a2": "AH", "I2": "IH", "I#": "IH", "e#": "EH", "aa": "AE", "tS": "CH",
    "dZ": "JH", "n-": "N", "l-": "L", "m-": "M", "r-": "R", "t#": "T", "d#": "D", "z#": "Z",
    "a": "AE", "A": "AA", "E": "EH", "e": "EH", "I": "IH", "i": "IY", "0": "AA", "O": "AO", "U": "UH",
    "u": "UW", "V": "AH", "@": "AH", "3": "ER", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K",
    "g": "G", "f": "F", "v": "V", "T": "TH", "D": "DH", "s": "S", "z": "Z", "S": "SH", "Z": "ZH",
    "h": "HH", "m": "M", "n": "N", "N": "NG", "l": "L", "r": "R", "w": "W", "j": "Y", "x": "K",
}
_SYMBOLS = sorted(ESPEAK_TO_ARPABET, key=len, reverse=True)
_IGNORED = re.compile(r"[',;%=_|:!?\s]")


def arpabet(espeak_phonemes: str) -> str:
    """"n'Ekst" -> "N EH K S T"; symbols without an equivalent (stress, length, glottal stop) drop."""
    phones: List[str] = []
    position = 0
    while position < len(espeak_phonemes):
        for symbol in _SYMBOLS:
            if espeak_phonemes.startswith(symbol, position):
                phones.append(ESPEAK_TO_ARPABET[symbol])
                position += len(symbol)
                break
        else:
            position += 1  # stress marks, syllable breaks and the like
    return " ".join(phones)


def espeak_pronunciation(word: str) -> Optional[str]:
    """ARPAbet phones for `word` as espeak-ng would say it, or None if espeak-ng is missing."""
    try:
        result = subprocess.run(["espeak-ng", "-q", "-x", "-v", "en-us", word], capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    phones = arpabet(_IGNORED.sub(" ", result.stdout).replace(" ", ""))
    return phones or None
