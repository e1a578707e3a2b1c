"""Typed errors raised by wording.

The tree (each class carries a stable ``code`` and the HTTP status the web layer answers with)::

    WordingError                      code "error"              500
    ├── InputError                    code "invalid_input"      400
    │   ├── EmptyDraft                code "empty_draft"        400
    │   └── InvalidEncoding           code "invalid_encoding"   400
    ├── TextTooLong                   code "text_too_long"      413
    ├── UnsupportedLanguage           code "unsupported_language" 422
    ├── ModelUnavailable              code "model_unavailable"  503
    └── ConfigError                   code "config_error"       500 (raised at start-up)

The library never imports Flask; ``web`` maps these onto responses. Messages never quote the
customer's text: they are safe to log.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ConfigError",
    "EmptyDraft",
    "InputError",
    "InvalidEncoding",
    "ModelUnavailable",
    "TextTooLong",
    "UnsupportedLanguage",
    "WordingError",
]


class WordingError(Exception):
    """Base class of every error wording raises on purpose."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


class InputError(WordingError):
    """The request or the draft cannot be checked as given."""

    code = "invalid_input"
    http_status = 400


class EmptyDraft(InputError):
    code = "empty_draft"


class InvalidEncoding(InputError):
    code = "invalid_encoding"


class TextTooLong(WordingError):
    code = "text_too_long"
    http_status = 413


class UnsupportedLanguage(WordingError):
    code = "unsupported_language"
    http_status = 422


class ModelUnavailable(WordingError):
    code = "model_unavailable"
    http_status = 503


class ConfigError(WordingError):
    """A settings or standards file is invalid; names the file, line and key where it can."""

    code = "config_error"
    http_status = 500
