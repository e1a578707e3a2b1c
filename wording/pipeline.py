"""``check()``: the only place that knows the order of the stages.

    draft ─validate─► language ─segment─► sentences ─RoleScorer─► roles + cues + context
          ─checks─► issues ─rewrite─► edits + rewritten text ─verify (check the rewrite again)─► Report

Nothing here logs or stores the draft or the customer's message.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import checks as checks_mod
from . import facts as facts_mod
from . import language as language_mod
from . import rewrite as rewrite_mod
from . import segment
from .errors import EmptyDraft, InputError, InvalidEncoding, ModelUnavailable, TextTooLong
from .lexicon import LexiconScorer
from .scoring import RoleScorer, Scored
from .standards import Standards, default_standards, load_standards
from .types import (
    ContextInfo,
    ContextType,
    EngineInfo,
    Finding,
    Goal,
    Report,
    Rewrite,
    Role,
    Sentence,
    Source,
    Span,
)

DEFAULT_MAX_CHARS = 20_000
_scorers: dict[int, RoleScorer] = {}
_scorers_lock = threading.Lock()


def max_chars() -> int:
    raw = os.environ.get("WORDING_MAX_CHARS")
    if raw is None:
        return DEFAULT_MAX_CHARS
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"WORDING_MAX_CHARS must be a whole number, not {raw!r}") from None
    return max(1, value)


def _text(value: object, field: str, limit: int) -> str:
    if isinstance(value, bytes | bytearray):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEncoding(
                f"the {field} is not valid UTF-8 (byte {exc.start}: {exc.reason})", field=field
            ) from None
    if not isinstance(value, str):
        raise InputError(f"the {field} must be text, not {type(value).__name__}", field=field)
    if len(value) > limit:
        raise TextTooLong(
            f"the {field} has {len(value):,} characters; the limit is {limit:,}", field=field
        )
    return value


def get_scorer(standards: Standards) -> RoleScorer:
    """The engine for ``standards``: the hybrid model when it loads, else the lexicon (with a reason)."""
    key = id(standards)
    with _scorers_lock:
        scorer = _scorers.get(key)
        if scorer is None:
            lexicon = LexiconScorer(standards)
            try:
                from .classifier import get_scorer as model_scorer
            except ImportError as exc:  # the model package is optional
                scorer = _Explained(lexicon, f"the classifier could not be imported: {exc}")
            else:
                scorer = model_scorer(lexicon)
            _scorers[key] = scorer
    return scorer


def clear_caches() -> None:
    """Forget cached segmentation and embeddings (benchmarks use it to time a never-seen draft)."""
    segment._split_line.cache_clear()
    for scorer in list(_scorers.values()):
        clear = getattr(scorer, "clear_cache", None)
        if callable(clear):
            clear()


class _Explained:
    """The lexicon engine, saying why the model is not in use."""

    name = "lexicon"

    def __init__(self, lexicon: LexiconScorer, reason: str) -> None:
        self.lexicon, self.reason = lexicon, reason

    def score(self, draft, sentences, language, context):  # type: ignore[no-untyped-def]
        scored = self.lexicon.score(draft, sentences, language, context)
        return Scored(**{**scored.__dict__, "reason": self.reason})


def _standards(value: Standards | str | Path | Mapping[str, Any] | None) -> Standards:
    if value is None:
        return default_standards()
    if isinstance(value, Standards):
        return value
    return load_standards(value)


def _context_info(
    scored: Scored, context_type: ContextType | str | None, has_context: bool
) -> ContextInfo:
    if context_type is not None:
        ct = ContextType(context_type)
        scores = {t: (1.0 if t == ct else 0.0) for t in ContextType}
        return ContextInfo(type=ct, score=1.0, scores=scores, source="given", note="The caller named the type.")
    if has_context and scored.context_scores:
        scores = scored.context_scores
        source, note = "context", "Classified from the customer's message."
    else:
        scores = scored.draft_context_scores or {t: 0.25 for t in ContextType}
        source = "draft"
        if has_context:
            note = (
                "The customer's message carried no signal the engine recognises, so the type was "
                "inferred from the draft."
            )
        else:
            note = (
                "No customer message was given, so the type was inferred from the draft alone; "
                "pass the customer's message for a reliable answer."
            )
    ct = max(scores, key=lambda t: (scores[t], t == ContextType.COMPLAINT))
    return ContextInfo(type=ct, score=float(scores[ct]), scores=scores, source=source, note=note)  # type: ignore[arg-type]


def check(
    draft: str | bytes,
    *,
    context: str | bytes | None = None,
    language: str | None = None,
    goal: Goal = "satisfaction",
    context_type: ContextType | str | None = None,
    standards: Standards | str | Path | Mapping[str, Any] | None = None,
    disabled: Iterable[str] = (),
    verify: bool = True,
) -> Report:
    """Check a support reply ``draft`` (answering the customer's ``context`` message).

    Raises :class:`~wording.errors.WordingError` subclasses for input that cannot be checked.
    """
    limit = max_chars()
    draft = _text(draft, "draft", limit)
    if not draft.strip():
        raise EmptyDraft("the draft is empty", field="draft")
    context_text = _text(context, "context", limit) if context is not None else None
    if context_text is not None and not context_text.strip():
        context_text = None
    if goal not in ("satisfaction", "action"):
        raise InputError(f"goal must be 'satisfaction' or 'action', not {goal!r}", field="goal")
    if context_type is not None and context_type not in set(ContextType):
        raise InputError(
            f"context_type must be one of {', '.join(ContextType)}, not {context_type!r}", field="context_type"
        )
    disabled = tuple(disabled)
    std = _standards(standards)
    known = set(std.rule_ids())
    for name in disabled:
        if name not in known:
            raise InputError(f"unknown check {name!r}; checks are {', '.join(sorted(known))}", field="disabled")
    lang_info = language_mod.detect(draft, language)
    lang = lang_info.code
    pack = std.pack(lang)

    spans = segment.split(draft, lang, tuple(pack.abbreviations))
    scorer = get_scorer(std)
    scored = scorer.score(draft, spans, lang, context_text)
    if os.environ.get("WORDING_ENGINE") == "hybrid" and scored.engine != "hybrid":
        # the deployment asked for the model; answering from the lexicon would be a silent downgrade
        raise ModelUnavailable(f"the classifier is required (WORDING_ENGINE=hybrid) but unavailable: {scored.reason}")
    sentences = []
    efforts = scored.effort or [None] * len(spans)
    for n, (span, roles, cues) in enumerate(zip(spans, scored.roles, scored.cues, strict=True)):
        labels = [r for r in Role if roles.get(r, 0.0) >= scored.thresholds.get(r, 0.5)]
        sentences.append(
            Sentence(
                index=n,
                start=span.start,
                end=span.end,
                text=span.text,
                roles={r: round(float(roles.get(r, 0.0)), 4) for r in Role},
                labels=labels,
                cues=cues,
                effort=efforts[n] if Role.CUSTOMER_EFFORT in labels else None,
            )
        )
    sentences = _signature(sentences)
    ctx = _context_info(scored, context_type, context_text is not None)
    analysis = checks_mod.Analysis(
        draft=draft,
        language=lang,
        goal=goal,
        context_type=ctx.type,
        context_text=context_text,
        context_facts=tuple(facts_mod.extract(context_text)) if context_text else (),
        sentences=tuple(sentences),
        standards=std,
    )
    issues = checks_mod.run(analysis, disabled)
    ids = _finding_ids(issues)
    rewrite, skipped = rewrite_mod.build(analysis, issues, ids)
    findings = [_finding(std, lang, issue, fid, draft) for issue, fid in zip(issues, ids, strict=True)]

    unresolved: list[str] = []
    notes: list[str] = []
    for k, issue in enumerate(issues):
        if not issue.ops and issue.covered:
            notes.append(f"{ids[k]}: {issue.note}")
        elif not issue.ops:
            unresolved.append(ids[k])
            notes.append(f"{ids[k]}: {issue.note or 'no automatic fix; the agent has to reword this'}")
        elif k in skipped:
            unresolved.append(ids[k])
            notes.append(f"{ids[k]}: {skipped[k]}")
        elif issue.note:
            notes.append(f"{ids[k]}: {issue.note}")
    if verify and rewrite.changed:
        again = check(
            rewrite.text,
            context=context_text,
            language=lang,
            goal=goal,
            context_type=ctx.type,
            standards=std,
            disabled=disabled,
            verify=False,
        )
        raised = {f.check for f in again.findings}
        for k, issue in enumerate(issues):
            if issue.ops and str(issue.check) in raised and ids[k] not in unresolved:
                unresolved.append(ids[k])
                notes.append(f"{ids[k]}: checking the rewrite still raises {issue.check}; review it by hand")
    if unresolved or notes:
        rewrite = Rewrite(**{**rewrite.__dict__, "unresolved": unresolved, "notes": notes})

    return Report(
        engine=EngineInfo(name=scored.engine, reason=scored.reason, encoder=scored.encoder),  # type: ignore[arg-type]
        standards=std.name,
        language=lang_info,
        goal=goal,
        context=ctx,
        length=len(draft),
        sentences=sentences,
        findings=findings,
        rewrite=rewrite,
    )


_TERMINAL = (".", "!", "?", "…", "։", "؟")


def _signature(sentences: list[Sentence]) -> list[Sentence]:
    """Short unpunctuated lines after a closing ("Best regards," / "John") belong to the sign-off."""
    def short(s: Sentence) -> bool:
        return len(s.text.split()) <= 4 and not s.text.endswith(_TERMINAL)

    # the sign-off block: the longest tail made only of closings and short unpunctuated lines
    start = len(sentences)
    while start > 0 and (Role.CLOSING in sentences[start - 1].labels or short(sentences[start - 1])):
        start -= 1
    if not any(Role.CLOSING in s.labels for s in sentences[start:]):
        return sentences
    first_closing = next(n for n in range(start, len(sentences)) if Role.CLOSING in sentences[n].labels)
    out = list(sentences)
    for n in range(first_closing + 1, len(out)):
        s = out[n]
        if short(s) and Role.CLOSING not in s.labels:
            roles = {**s.roles, Role.CLOSING: max(s.roles.get(Role.CLOSING, 0.0), 0.9)}
            labels = [r for r in Role if r in s.labels or r == Role.CLOSING]
            out[n] = Sentence(**{**s.__dict__, "roles": roles, "labels": labels})
    return out


def _finding_ids(issues: list[checks_mod.Issue]) -> list[str]:
    ids: list[str] = []
    for issue in issues:
        base = f"{issue.check}@{issue.spans[0][0]}"
        fid, n = base, 2
        while fid in ids:
            fid, n = f"{base}.{n}", n + 1
        ids.append(fid)
    return ids


def _finding(std: Standards, lang: str, issue: checks_mod.Issue, fid: str, draft: str) -> Finding:
    spans = [Span(start=s, end=e, text=draft[s:e]) for s, e in issue.spans]
    if issue.message is not None:  # a team rule: its own text, severity and source
        title, citation, url = issue.source or ("", "", None)
        return Finding(
            id=fid,
            check=str(issue.check),
            severity=issue.severity or "warning",  # type: ignore[arg-type]
            message=issue.message,
            explanation=issue.explanation or issue.message,
            language=issue.message_language or lang,  # type: ignore[arg-type]
            spans=spans,
            source=Source(title=title, citation=citation, url=url),
            replacements=issue.replacements,
            fixable=bool(issue.ops) or issue.covered,
        )
    settings = std.check(str(issue.check))
    key = issue.variant or str(issue.check)
    pack_msgs = std.pack(lang).messages
    msg_lang = lang if (key in pack_msgs or str(issue.check) in pack_msgs) else "en"
    try:
        msg = std.message(key, lang)
    except Exception:
        msg = std.message(str(issue.check), lang)
    src = settings.source
    return Finding(
        id=fid,
        check=str(issue.check),
        severity=issue.severity or settings.severity,  # type: ignore[arg-type]
        message=msg.message,
        explanation=msg.explanation,
        language=msg_lang,  # type: ignore[arg-type]
        spans=spans,
        source=Source(title=src.title, citation=src.citation, url=src.url) if src else Source(title="", citation=""),
        replacements=issue.replacements,
        fixable=bool(issue.ops) or issue.covered,
    )
