"""wording: finds what hurts the customer's experience in a support reply and proposes a better wording.

>>> import wording
>>> report = wording.check("Sorry! So sorry. We apologize.", context="My parcel never arrived.")
>>> [f.check for f in report.findings]
['over_apology', 'missing_next_step']
"""

from __future__ import annotations

from .errors import (
    ConfigError,
    EmptyDraft,
    InputError,
    InvalidEncoding,
    ModelUnavailable,
    TextTooLong,
    UnsupportedLanguage,
    WordingError,
)
from .pipeline import check
from .standards import Standards, default_standards, load_standards
from .types import (
    SCHEMA_VERSION,
    CheckId,
    ContextInfo,
    ContextType,
    Edit,
    Finding,
    LanguageInfo,
    Report,
    Rewrite,
    Role,
    Sentence,
    Span,
)

__version__ = "0.1.0"


def classify_context(text: str, language: str | None = None) -> dict:
    """Classify a customer's message as complaint / inquiry / praise / other, with scores."""
    from .context import classify_context as _classify

    return _classify(text, language)


__all__ = [
    "SCHEMA_VERSION",
    "CheckId",
    "ConfigError",
    "ContextInfo",
    "ContextType",
    "Edit",
    "EmptyDraft",
    "Finding",
    "InputError",
    "InvalidEncoding",
    "LanguageInfo",
    "ModelUnavailable",
    "Report",
    "Rewrite",
    "Role",
    "Sentence",
    "Span",
    "Standards",
    "TextTooLong",
    "UnsupportedLanguage",
    "WordingError",
    "__version__",
    "check",
    "classify_context",
    "default_standards",
    "load_standards",
]
