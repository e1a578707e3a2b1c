"""Language of a draft: given, or detected with lingua among the five supported languages.

lingua is built over the five languages plus a set of *foils* (languages a draft could plausibly be
written in instead). A draft whose best match is a foil gets :class:`UnsupportedLanguage` rather than
being forced into the nearest supported language.
"""

from __future__ import annotations

import functools
import threading

from .errors import UnsupportedLanguage
from .types import LANGUAGES, LanguageInfo

_SUPPORTED_NAMES = {"en": "ENGLISH", "ru": "RUSSIAN", "lv": "LATVIAN", "ar": "ARABIC", "hy": "ARMENIAN"}
_FOILS = (
    "GERMAN", "FRENCH", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH", "POLISH", "UKRAINIAN", "BELARUSIAN",
    "BULGARIAN", "LITHUANIAN", "ESTONIAN", "FINNISH", "SWEDISH", "TURKISH", "PERSIAN", "URDU", "GEORGIAN",
    "KAZAKH", "CZECH", "ROMANIAN", "HUNGARIAN", "INDONESIAN", "GREEK", "HEBREW",
)
# A foil must win clearly, on enough text, before a draft is refused.
_MIN_LETTERS_TO_REFUSE = 12
_FOIL_CONFIDENCE = 0.6
_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, n) for n in (*_SUPPORTED_NAMES.values(), *_FOILS)]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def _code(language) -> str:  # type: ignore[no-untyped-def]
    return language.iso_code_639_1.name.lower()


def normalise_code(code: str) -> str:
    """'en-US' -> 'en'; raises UnsupportedLanguage for anything not supported."""
    base = code.strip().replace("_", "-").split("-")[0].lower()
    if base not in LANGUAGES:
        raise UnsupportedLanguage(
            f"language {code!r} is not supported; wording checks {', '.join(LANGUAGES)}", field="language"
        )
    return base


def detect(text: str, given: str | None = None) -> LanguageInfo:
    if given and given.lower() != "auto":
        return LanguageInfo(code=normalise_code(given), source="given", confidence=1.0)  # type: ignore[arg-type]
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0:
        raise UnsupportedLanguage(
            "the draft has no letters to detect its language from; pass the language explicitly",
            field="language",
        )
    with _lock:  # lingua's detector is not documented as thread-safe
        values = _detector().compute_language_confidence_values(text)
    supported = [(v.value, _code(v.language)) for v in values if _code(v.language) in LANGUAGES]
    best = values[0]
    best_code = _code(best.language)
    if best_code not in LANGUAGES and best.value >= _FOIL_CONFIDENCE and letters >= _MIN_LETTERS_TO_REFUSE:
        name = best.language.name.title()
        raise UnsupportedLanguage(
            f"the draft looks like {name}; wording checks English, Russian, Latvian, Arabic and Armenian",
            field="language",
        )
    total = sum(v for v, _ in supported) or 1.0
    score, code = max(supported)
    return LanguageInfo(code=code, source="detected", confidence=round(min(1.0, score / total), 4))  # type: ignore[arg-type]
