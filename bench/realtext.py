"""Real Vietnamese text no one in this project wrote, and the disguises copiers use:
the corpus and the copying shared by `similarity_hard.py` (the archive check, issue
15) and `webcheck.py` (the web-copy check, issue 10).

The corpus is the Vietnamese translations of the Debian packages installed on this
machine (the msgstr texts of /usr/share/locale/vi/LC_MESSAGES/*.mo, written by the
Vietnamese translation teams). Each package is a topic; messages that share a run
of 8 syllables with an earlier one are dropped, so that texts of one topic share
vocabulary and style but no copied text unless a benchmark plants it.
"""

from __future__ import annotations

import gettext
import glob
import random
import statistics
import sys
import unicodedata
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text import fold_accents, folded_tokens  # noqa: E402
from dedup.engine.fingerprint import kgram_hashes  # noqa: E402

CATALOGUES = "/usr/share/locale/vi/LC_MESSAGES/*.mo"
DISGUISES = (
    "plain",
    "accent_free",
    "zero_width",
    "look_alikes",
    "telex",
    "vni",
    "numbers",
    "mixed",
)


# Corpus -----------------------------------------------------------------------


def _messages(path: str) -> list[str]:
    with open(path, "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    messages = []
    for key, value in catalogue.items():
        if not key or not isinstance(value, str):
            continue
        text = " ".join(value.replace("\\n", " ").split())
        if len(text.split()) < 8 or not any(not c.isascii() for c in text):
            continue
        if text[-1] not in ".!?:;":
            text += "."
        messages.append(text)
    return messages


def load_topics(min_messages: int = 25) -> dict[str, list[str]]:
    """Package -> its messages, with no 8-syllable run shared between any two."""
    seen: set[int] = set()
    topics: dict[str, list[str]] = {}
    for path in sorted(glob.glob(CATALOGUES)):
        kept = []
        for message in _messages(path):
            grams = set(kgram_hashes(folded_tokens(message), 8).tolist())
            if not grams or grams & seen:
                continue
            seen |= grams
            kept.append(message)
        if len(kept) >= min_messages:
            topics[Path(path).stem] = kept
    return topics


def syllables(text: str) -> int:
    return len(folded_tokens(text))


def chunk(messages: list[str], target: int) -> list[list[str]]:
    """Consecutive messages cut into documents of at least ``target`` syllables."""
    documents, current, size = [], [], 0
    for message in messages:
        current.append(message)
        size += syllables(message)
        if size >= target:
            documents.append(current)
            current, size = [], 0
    return documents


# Disguises ----------------------------------------------------------------------

_TONES_TELEX = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_TONES_VNI = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_LOOKALIKES = str.maketrans({"a": "а", "o": "о", "e": "е", "p": "р", "c": "с", "x": "х"})


def _input_method(word: str, vni: bool) -> str:
    """How ``word`` comes out typed with the input method switched off: the
    marks as keys after their letters, the tone key after the last letter."""
    core = word.rstrip(".,;:!?)”’\"'")
    trailing = word[len(core) :]
    tone = ""
    out = ""
    for char in unicodedata.normalize("NFD", core):
        if char in _TONES_TELEX:
            tone = (_TONES_VNI if vni else _TONES_TELEX)[char]
        elif char == "\u0302":
            out += "6" if vni else out[-1]
        elif char == "\u031b":
            out += "7" if vni else "w"
        elif char == "\u0306":
            out += "8" if vni else "w"
        elif char in "đĐ":
            out += ("d9" if vni else "dd") if char == "đ" else ("D9" if vni else "DD")
        else:
            out += char
    return out + tone + trailing


def disguise(text: str, kind: str, rng: random.Random) -> str:
    if kind == "plain":
        return text
    if kind == "accent_free":
        return "".join(
            fold_accents(c) if c.isalpha() and c.lower() == c else c for c in text
        ).replace("Đ", "D")
    if kind == "zero_width":
        marks = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
        return " ".join(
            w[:2] + rng.choice(marks) + w[2:] if len(w) > 2 and rng.random() < 0.5 else w
            for w in text.split(" ")
        )
    if kind == "look_alikes":
        return " ".join(
            w.translate(_LOOKALIKES) if rng.random() < 0.5 else w for w in text.split(" ")
        )
    if kind in ("telex", "vni"):
        return " ".join(_input_method(w, kind == "vni") for w in text.split(" "))
    if kind == "numbers":
        words = text.split(" ")
        return " ".join(
            str(rng.randint(2, 99_999)) if w.replace(".", "").isdigit() else w for w in words
        )
    if kind == "mixed":
        for step in ("numbers", "accent_free", "zero_width", "look_alikes"):
            text = disguise(text, step, rng)
        return text
    raise ValueError(kind)


def with_numbers(messages: list[str], rng: random.Random) -> list[str]:
    """Amounts, dates and counts every few words, as in real initiatives."""
    out = []
    for message in messages:
        words = message.split(" ")
        for i in range(len(words) - 1, 0, -6):
            words.insert(i, f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d}")
        out.append(" ".join(words))
    return out


# Excerpts and figures -----------------------------------------------------------


def excerpt(units: list[str], syllable_count: int, start: int) -> list[str]:
    """Consecutive ``units`` (messages or sentences) from ``start``, wrapping round,
    until they hold ``syllable_count`` syllables."""
    out, size = [], 0
    for unit in units[start:] + units[:start]:
        out.append(unit)
        size += syllables(unit)
        if size >= syllable_count:
            break
    return out


def latency_ms(seconds: list[float]) -> dict[str, float]:
    """Median and 95th percentile (interpolated), in milliseconds."""
    return {
        "median_ms": round(1000 * statistics.median(seconds), 1),
        "p95_ms": round(1000 * float(np.percentile(seconds, 95)), 1),
    }
