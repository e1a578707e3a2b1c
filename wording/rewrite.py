"""Deterministic rewrite: the checks' sentence operations become character edits over the draft.

Every edit has a ``[start, end)`` span in the original draft and a replacement; edits never overlap
(zero-width inserts may touch a neighbour's boundary) and are applied in document order, so the
positions of placeholders in the rewritten text are exact. Text the rewrite does not touch is copied
verbatim, which is why numbers, amounts, dates, ids, phones, e-mails and URLs there survive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import facts as facts_mod
from .checks import Analysis, Issue, Op
from .types import CheckId, Edit, Fact, Placeholder, Rewrite

_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,120}\]")
_TERMINAL = (".", "!", "?", "…", "։", "؟", ":", "׃", "。")
_FULL_STOP = {"hy": "։"}


class OverlappingEdits(ValueError):
    pass


@dataclass(frozen=True)
class _Raw:
    start: int
    end: int
    replacement: str
    kind: str
    issue: int
    seq: int
    prio: int = 1  # among inserts at one position, lower comes first


def _finish(text: str, language: str) -> str:
    text = text.strip()
    if text and not text.endswith(_TERMINAL) and not text.endswith(("»", '"', ")", "”")):
        text += _FULL_STOP.get(language, ".")
    return text


def _line_break_in(s: str) -> bool:
    return "\n" in s or "\r" in s or "\u2028" in s or "\u2029" in s


def _deletion_ranges(a: Analysis, deleted: set[int]) -> dict[int, tuple[int, int]]:
    """Character range to remove for each deleted sentence, taking the white space that goes with it."""
    sents = a.sentences
    n = len(sents)
    out: dict[int, tuple[int, int]] = {}
    i = 0
    while i < n:
        if i not in deleted:
            i += 1
            continue
        j = i
        while j + 1 < n and j + 1 in deleted:
            j += 1
        gap_before = a.draft[sents[i - 1].end : sents[i].start] if i > 0 else "\n"
        gap_after = a.draft[sents[j].end : sents[j + 1].start] if j + 1 < n else "\n"
        forward = j + 1 < n and (not _line_break_in(gap_after) or _line_break_in(gap_before))
        for k in range(i, j + 1):
            if forward:
                out[k] = (sents[k].start, sents[k + 1].start)
            elif i > 0:
                out[k] = (sents[k - 1].end, sents[k].end)
            else:  # the whole tail of the draft from its first sentence
                out[k] = (sents[k].start, sents[k + 1].start if k + 1 < n else sents[k].end)
        i = j + 1
    return out


def plan(a: Analysis, issues: Sequence[Issue]) -> tuple[list[_Raw], dict[int, str]]:
    """Resolve conflicts between operations and turn them into raw edits."""
    claimed: dict[int, int] = {}  # sentence -> issue index whose delete/replace/move owns it
    kept_ops: list[tuple[int, Op]] = []
    skipped: dict[int, str] = {}
    for k, issue in enumerate(issues):
        for op in issue.ops:
            if op.kind in ("delete", "replace", "move_before"):
                if op.sentence in claimed:
                    skipped.setdefault(k, "another fix already changes the same sentence")
                    continue
                claimed[op.sentence] = k
            kept_ops.append((k, op))
    # trims inside claimed sentences are dropped, and so is a trim that overlaps one already kept
    # (two cues of one clause, or two checks cutting the same words)
    trims: list[tuple[int, int]] = []
    filtered: list[tuple[int, Op]] = []
    for k, op in kept_ops:
        if op.kind == "trim":
            if op.sentence in claimed:
                continue
            if any(op.start < e and s < op.end for s, e in trims):
                if not any(op.start == s and op.end == e for s, e in trims):
                    skipped.setdefault(k, "another fix already cuts the same words")
                continue
            trims.append((op.start, op.end))
        filtered.append((k, op))
    kept_ops = filtered

    deleted = {op.sentence for _, op in kept_ops if op.kind in ("delete", "move_before")}
    ranges = _deletion_ranges(a, deleted)
    sents = a.sentences
    raws: list[_Raw] = []
    seq = 0

    def add(start: int, end: int, text: str, kind: str, k: int) -> None:
        nonlocal seq
        first = issues[k].check == CheckId.MISSING_ACKNOWLEDGEMENT  # acknowledge before anything else
        raws.append(_Raw(start, end, text, kind, k, seq, 0 if first else 1))
        seq += 1

    def surviving(i: int, step: int) -> int | None:
        while 0 <= i < len(sents):
            if i not in deleted:
                return i
            i += step
        return None

    for k, op in kept_ops:
        s = sents[op.sentence]
        if op.kind in ("delete", "move_before"):
            start, end = ranges[op.sentence]
            add(start, end, "", "delete", k)
            if op.kind == "move_before" and op.target is not None:
                t = surviving(op.target, +1)
                if t is None:
                    skipped.setdefault(k, "nowhere left to move the sentence to")
                    continue
                add(sents[t].start, sents[t].start, _finish(op.text, a.language) + " ", "insert", k)
        elif op.kind == "replace":
            add(s.start, s.end, _finish(op.text, a.language), "replace", k)
        elif op.kind == "trim":
            start, end = op.start, op.end
            replacement = ""
            if start == s.start:  # the sentence now starts later: capitalise its new first letter
                while end < s.end and a.draft[end].isspace():
                    end += 1
                if end < s.end and a.draft[end].isalpha():
                    replacement = a.draft[end].upper()
                    end += 1
            add(start, end, replacement, "replace" if replacement else "delete", k)
        elif op.kind == "insert_after":
            i = surviving(op.sentence, -1)
            if i is not None:
                add(sents[i].end, sents[i].end, " " + _finish(op.text, a.language), "insert", k)
            else:
                j = surviving(op.sentence, +1)
                if j is None:
                    skipped.setdefault(k, "no sentence left to place the addition beside")
                    continue
                add(sents[j].start, sents[j].start, _finish(op.text, a.language) + " ", "insert", k)
        elif op.kind == "insert_before":
            j = surviving(op.sentence, +1)
            if j is not None:
                add(sents[j].start, sents[j].start, _finish(op.text, a.language) + " ", "insert", k)
            else:
                i = surviving(op.sentence, -1)
                if i is None:
                    skipped.setdefault(k, "no sentence left to place the addition beside")
                    continue
                add(sents[i].end, sents[i].end, " " + _finish(op.text, a.language), "insert", k)
    raws.sort(key=lambda r: (r.start, r.end, r.prio, r.seq))
    _check_no_overlap(raws)
    return raws, skipped


def _check_no_overlap(raws: Sequence[_Raw]) -> None:
    last_end = -1
    last_start = -1
    for r in raws:
        if r.start < last_end and not (r.start == r.end and r.start == last_start):
            raise OverlappingEdits(f"edit at {r.start}-{r.end} overlaps one ending at {last_end}")
        if r.end > r.start:
            last_end = max(last_end, r.end)
            last_start = r.start


def apply(text: str, edits: Sequence[Any]) -> str:
    """Apply ``edits`` (anything with ``start``, ``end``, ``replacement`` over ``text``) in document
    order; inserts at one point keep their given order; rejects overlapping edits."""
    ordered = [e for _, e in sorted(enumerate(edits), key=lambda p: (p[1].start, p[1].end, p[0]))]
    out, pos = [], 0
    for e in ordered:
        if e.start < pos:
            raise OverlappingEdits(f"edit at {e.start}-{e.end} overlaps one ending at {pos}")
        out.append(text[pos : e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def build(a: Analysis, issues: Sequence[Issue], finding_ids: Sequence[str]) -> tuple[Rewrite, dict[int, str]]:
    raws, skipped = plan(a, issues)
    edits: list[Edit] = []
    out: list[str] = []
    placeholders: list[Placeholder] = []
    pos = 0
    out_len = 0
    for n, r in enumerate(raws):
        chunk = a.draft[pos : r.start]
        out.append(chunk)
        out_len += len(chunk)
        for m in _PLACEHOLDER.finditer(r.replacement):
            placeholders.append(Placeholder(start=out_len + m.start(), end=out_len + m.end(), text=m.group(0)))
        out.append(r.replacement)
        out_len += len(r.replacement)
        pos = r.end
        issue = issues[r.issue]
        edits.append(
            Edit(
                id=f"e{n + 1}",
                finding=finding_ids[r.issue],
                check=str(issue.check),
                kind=r.kind,  # type: ignore[arg-type]
                start=r.start,
                end=r.end,
                original=a.draft[r.start : r.end],
                replacement=r.replacement,
            )
        )
    out.append(a.draft[pos:])
    text = "".join(out)

    kept: list[Fact] = []
    removed: list[Fact] = []
    for fact in facts_mod.extract(a.draft):
        touched = [r for r in raws if r.end > r.start and r.start < fact.end and fact.start < r.end]
        if not touched or any(fact.text in r.replacement for r in touched):
            kept.append(fact)
        else:
            removed.append(fact)
    rewrite = Rewrite(
        text=text,
        changed=bool(edits),
        edits=edits,
        placeholders=placeholders,
        facts_kept=kept,
        facts_removed=removed,
    )
    return rewrite, skipped
