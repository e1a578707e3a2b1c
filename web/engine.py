"""The engine as the server sees it: the standards sets it serves, and whether the model is loaded.

Loaded once when the app is created (in the gunicorn master, before the workers fork, so they share
the model's memory). Nothing here sees a draft except :meth:`Engine.warm`, which checks a fixed
sentence.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import wording
from wording.errors import InputError
from wording.standards import Standards, default_standards

from .config import Settings

log = logging.getLogger("wording.web")

WARM_TEXT = "Hello, thanks for writing."
# the same sentence with the language left to detection and a customer's message to classify, so the
# language detector and the context classifier load too; then one line per other language, so each
# language's sentence splitter and lexicon are built before the workers fork
WARM_CONTEXT = "My order has not arrived yet."
WARM_OTHER = {
    "ru": "Здравствуйте, спасибо за письмо.",
    "lv": "Labdien, paldies par vēstuli.",
    "ar": "مرحباً، شكراً لرسالتك.",
    "hy": "Բարև, շնորհակալություն նամակի համար։",
}


def _load_sets(mapping: Mapping[str, str]) -> dict[str, Standards]:
    """Named team standards files; ``wording.standards_tools.load_sets`` when it exists."""
    if not mapping:
        return {}
    from wording.standards_tools import load_sets

    # validates every file and runs its examples: a server never starts with a failing standards file
    return dict(load_sets(dict(mapping)))


@dataclass
class Engine:
    """Standards sets by name (``default`` is the server's default) and the engine's state."""

    sets: dict[str, Standards]
    required: bool = False  # WORDING_ENGINE=hybrid: answer 503 rather than fall back to the lexicon
    info: dict[str, Any] | None = None
    warm_seconds: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        if settings.standards:
            sets = _load_sets({"default": settings.standards})
        else:
            sets = {"default": default_standards()}
        sets.update(_load_sets(settings.standards_sets))
        return cls(sets=sets, required=os.environ.get("WORDING_ENGINE") == "hybrid")

    @property
    def default(self) -> Standards:
        return self.sets["default"]

    def resolve(self, name: str | None) -> Standards:
        if name is None:
            return self.default
        std = self.sets.get(name)
        if std is None:
            known = ", ".join(sorted(self.sets))
            raise InputError(f"unknown standards set {name!r}; this server has: {known}", field="standards")
        return std

    def warm(self) -> dict[str, Any]:
        """Load everything (language detector, sentence splitter, model) with a fixed sentence."""
        with self._lock:
            started = time.perf_counter()
            info: dict[str, Any] | None = None
            for std in self.sets.values():
                try:
                    report = wording.check(WARM_TEXT, language="en", standards=std)
                    wording.check(WARM_TEXT, context=WARM_CONTEXT, standards=std)
                    for code, text in WARM_OTHER.items():
                        try:
                            wording.check(text, language=code, standards=std)
                        except wording.ModelUnavailable:
                            raise
                        except wording.WordingError as exc:  # serve the other languages all the same
                            log.warning("warming %s failed: %s", code, exc.code)
                except wording.ModelUnavailable as exc:
                    info = {"name": "lexicon", "reason": exc.message, "encoder": None}
                    continue
                if info is None:
                    info = report.engine.model_dump(mode="json")
            self.info = info
            self.warm_seconds = round(time.perf_counter() - started, 3)
        log.info(
            "engine ready: %s (%s) in %.1f s",
            info["name"] if info else "?",
            (info or {}).get("reason") or "model loaded",
            self.warm_seconds,
        )
        return info or {}

    def status(self) -> dict[str, Any]:
        info = self.info if self.info is not None else self.warm()
        loaded = info.get("name") == "hybrid"
        return {
            "name": info.get("name", "lexicon"),
            "model_loaded": loaded,
            "required": self.required,
            "reason": info.get("reason"),
            "encoder": info.get("encoder"),
        }
