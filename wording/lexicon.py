"""The lexicon engine: role cues from the phrase patterns of a standards document.

Patterns run per sentence over a copy of the text in which curly apostrophes and quotes are mapped
one-to-one onto straight ones (same length, so offsets stay exact). A cue is the pattern's named group
``cue`` when it has one, else the whole match. An exception of a role cancels that role's cues that
overlap it, and nothing else (exceptions stay scoped to the role they belong to).

Scores: a role's score is the highest weight among its cues in the sentence (0 without a cue).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .scoring import DEFAULT_THRESHOLD, Scored, SentenceSpan
from .standards import CueEntry, Standards, compile_pattern
from .types import ContextType, Cue, Role

_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})


def fold(text: str) -> str:
    """Same-length normalisation used for matching."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class _Compiled:
    entry: CueEntry
    regex: object  # regex.Pattern


def _compile(entries: Sequence[CueEntry]) -> tuple[_Compiled, ...]:
    return tuple(_Compiled(e, compile_pattern(e.pattern)) for e in entries)


def _spans(compiled: _Compiled, text: str) -> list[tuple[int, int]]:
    out = []
    for m in compiled.regex.finditer(text):  # type: ignore[attr-defined]
        if "cue" in m.re.groupindex and m.group("cue") is not None:
            s, e = m.span("cue")
        else:
            s, e = m.span()
        if e > s:
            out.append((s, e))
    return out


def _dedupe(cues: list[Cue]) -> list[Cue]:
    """Keep one cue per overlapping run of the same role (the longest, then the earliest)."""
    cues = sorted(cues, key=lambda c: (str(c.role), c.start, -(c.end - c.start)))
    kept: list[Cue] = []
    for cue in cues:
        if any(k.role == cue.role and k.start < cue.end and cue.start < k.end for k in kept):
            continue
        kept.append(cue)
    return sorted(kept, key=lambda c: (c.start, c.end, str(c.role)))


class LexiconScorer:
    """RoleScorer over the phrase patterns of a :class:`Standards` document."""

    name = "lexicon"

    def __init__(self, standards: Standards) -> None:
        self.standards = standards

    @functools.cache  # noqa: B019 - one scorer per standards document; bounded by languages
    def _tables(self, language: str) -> tuple[dict[str, tuple[_Compiled, ...]], dict[str, tuple[_Compiled, ...]]]:
        pack = self.standards.pack(language)
        cues: dict[str, tuple[_Compiled, ...]] = {}
        exceptions: dict[str, tuple[_Compiled, ...]] = {}
        for group in (pack.roles, pack.context):
            for name, lex in group.items():
                cues["ctx:" + str(name) if group is pack.context else str(name)] = _compile(lex.cues)
                exceptions["ctx:" + str(name) if group is pack.context else str(name)] = _compile(lex.exceptions)
        return cues, exceptions

    def find(self, text: str, language: str, offset: int = 0, *, context: bool = False) -> list[Cue]:
        """Cues in ``text`` (offsets shifted by ``offset``); ``context=True`` gives customer-message cues."""
        folded = fold(text)
        cues_table, exc_table = self._tables(language)
        found: list[Cue] = []
        for key, compiled in cues_table.items():
            is_ctx = key.startswith("ctx:")
            if is_ctx != context:
                continue
            name = key[4:] if is_ctx else key
            blocked = [sp for c in exc_table.get(key, ()) for sp in _spans(c, folded)]
            for c in compiled:
                for s, e in _spans(c, folded):
                    if any(bs < e and s < be for bs, be in blocked):
                        continue
                    role = Role.GREETING if is_ctx else Role(name)  # context cues carry their type in `tag`
                    found.append(
                        Cue(
                            role=role,
                            start=offset + s,
                            end=offset + e,
                            text=text[s:e],
                            rule=c.entry.id,
                            tag=("ctx:" + name) if is_ctx else c.entry.tag,
                        )
                    )
        return _dedupe(found) if not context else found

    def weights(self, language: str) -> dict[str, float]:
        cues_table, _ = self._tables(language)
        return {c.entry.id: c.entry.weight for table in cues_table.values() for c in table}

    def sentence_scores(self, cues: Sequence[Cue], language: str) -> dict[Role, float]:
        w = self.weights(language)
        scores = {role: 0.0 for role in Role}
        for cue in cues:
            scores[cue.role] = max(scores[cue.role], w.get(cue.rule, 0.9))
        return scores

    def classify_text(self, text: str, language: str) -> dict[ContextType, float] | None:
        """Context-type scores of a customer's message from its cues (None when no cue matches)."""
        w = self.weights(language)
        raw = {t: 0.0 for t in ContextType}
        found = self.find(text, language, context=True)
        if not found:
            return None
        for cue in found:
            kind = ContextType((cue.tag or "ctx:other")[4:])
            raw[kind] += w.get(cue.rule, 0.9)
        raw[ContextType.COMPLAINT] *= 1.3  # a complaint with a question mark is still a complaint
        raw[ContextType.INQUIRY] *= 0.8
        raw[ContextType.OTHER] = 0.5
        total = sum(raw.values())
        return {t: round(v / total, 4) for t, v in raw.items()}

    def infer_from_draft(self, roles: Sequence[dict[Role, float]]) -> dict[ContextType, float]:
        """Weak guess at the customer's message from the reply alone."""
        caring = max((max(r[Role.APOLOGY], r[Role.EMPATHY]) for r in roles), default=0.0)
        complaint = 0.75 if caring >= DEFAULT_THRESHOLD else 0.1
        other = 1.0 - complaint
        return {
            ContextType.COMPLAINT: round(complaint, 4),
            ContextType.INQUIRY: round(other / 2, 4),
            ContextType.PRAISE: 0.0,
            ContextType.OTHER: round(other / 2, 4),
        }

    def score(
        self, draft: str, sentences: Sequence[SentenceSpan], language: str, context: str | None
    ) -> Scored:
        cues = [self.find(s.text, language, s.start) for s in sentences]
        roles = [self.sentence_scores(c, language) for c in cues]
        return Scored(
            roles=roles,
            cues=cues,
            thresholds={role: DEFAULT_THRESHOLD for role in Role},
            context_scores=self.classify_text(context, language) if context and context.strip() else None,
            draft_context_scores=self.infer_from_draft(roles),
            engine="lexicon",
        )
