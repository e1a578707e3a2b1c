"""The RoleScorer interface: how sentence roles and the context type are produced.

Two engines implement it:

* ``wording.lexicon.LexiconScorer`` — per-language phrase patterns kept as data (standards files);
* ``wording.classifier.HybridScorer`` — the trained encoder + heads, combined with the lexicon's
  evidence (see models/README.md for how).

Checks only ever see a :class:`Scored` value, so an engine can be swapped without touching them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .types import ContextType, Cue, Role

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of the draft: ``draft[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Scored:
    """What an engine says about one draft."""

    roles: list[dict[Role, float]]  # one dict per sentence, every role present, scores in [0, 1]
    cues: list[list[Cue]]  # lexicon evidence per sentence (absolute offsets in the draft)
    thresholds: dict[Role, float]  # a sentence has a role when its score >= threshold
    context_scores: dict[ContextType, float] | None  # classification of the customer's message, if given
    draft_context_scores: dict[ContextType, float] = field(default_factory=dict)  # inferred from the draft
    engine: str = "lexicon"
    reason: str | None = None  # why the model is not in use, when it is not
    encoder: str | None = None
    effort: list[str | None] = field(default_factory=list)  # per sentence: the model's effort kind, if any


@runtime_checkable
class RoleScorer(Protocol):
    name: str

    def score(
        self,
        draft: str,
        sentences: Sequence[SentenceSpan],
        language: str,
        context: str | None,
    ) -> Scored:
        """Score every sentence of ``draft`` (and classify ``context`` when given) in one pass."""
        ...
