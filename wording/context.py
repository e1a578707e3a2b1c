"""What the customer's message is: complaint, inquiry, praise or other.

Uses the same engine as ``check()`` (the trained classifier when it loads, else the lexicon, and says
which), so ``wording.classify_context`` and the Report's ``context`` always agree.
"""

from __future__ import annotations

import json
from typing import IO, Any

from . import language as language_mod
from .errors import EmptyDraft, InputError, WordingError
from .pipeline import _text, get_scorer, max_chars
from .standards import default_standards
from .types import ContextType


def classify_context(text: str, language: str | None = None) -> dict[str, Any]:
    text = _text(text, "text", max_chars())
    if not text.strip():
        raise EmptyDraft("the message is empty", field="text")
    lang = language_mod.detect(text, language).code
    scored = get_scorer(default_standards()).score("", [], lang, text)
    # no recognised signal at all: say 'other' rather than guess
    scores = scored.context_scores or {t: (1.0 if t == ContextType.OTHER else 0.0) for t in ContextType}
    best = max(scores, key=lambda t: (scores[t], t == ContextType.COMPLAINT))
    return {
        "type": str(best),
        "scores": {str(t): round(float(v), 4) for t, v in scores.items()},
        "language": lang,
        "engine": scored.engine,
        "reason": scored.reason,
    }


def context_jsonl(stream: IO[str], out: IO[str]) -> int:
    """One ``{"id", "type", "scores"}`` line per input line ``{"id", "text"[, "language"]}``."""
    failures = 0
    for n, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        item_id: Any = n
        try:
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"line {n} is not JSON: {exc.msg}") from None
            if not isinstance(item, dict) or "text" not in item:
                raise InputError(f"line {n} must be an object with 'text'")
            item_id = item.get("id", n)
            result = classify_context(item["text"], item.get("language"))
            out.write(json.dumps({"id": item_id, "type": result["type"], "scores": result["scores"]}) + "\n")
        except WordingError as exc:
            failures += 1
            out.write(json.dumps({"id": item_id, "error": exc.to_dict()}) + "\n")
        out.flush()
    return failures
