"""Team rules: the ``rules`` of a standards file, run over an :class:`~wording.checks.Analysis`.

Five kinds (``docs/standards.md`` has the format and the Vale correspondences):

* ``existence``: flag a phrase, or a sentence with a role;
* ``substitution``: this phrase -> that one;
* ``occurrence``: at most ``max`` / at least ``min`` of a role (counted in sentences) or a phrase;
* ``conditional``: if ``if`` appears, ``then`` must appear too;
* ``order``: sentences with a ``before`` role come before sentences with an ``after`` role.

Any rule may carry ``when``: the context types (of the customer's message) it runs under. A rule runs
only in the languages it has a message for. Patterns match within one sentence, over the same folded
text the lexicon matches (curly quotes as straight ones), and a rule's ``exceptions`` cancel only that
rule's matches. Each finding is an :class:`~wording.checks.Issue` carrying the rule's own message,
severity and source, plus the sentence operations that fix it, which the rewrite applies like any
built-in check's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .checks import Analysis, Issue, Op, clause_cut, strip_opener
from .lexicon import fold
from .rewrite import _finish
from .standards import (
    ConditionalRule,
    ExistenceRule,
    Fix,
    OccurrenceRule,
    OrderRule,
    SubstitutionRule,
    Target,
    compile_pattern,
)

__all__ = ["run_rules"]

AnyRule = ExistenceRule | SubstitutionRule | OccurrenceRule | ConditionalRule | OrderRule


@dataclass(frozen=True)
class Hit:
    """One occurrence of a target: a sentence, and the spans in it (absolute offsets in the draft)."""

    sentence: int
    spans: tuple[tuple[int, int], ...]


class _Values(dict):  # type: ignore[type-arg]
    """Message values; a field the kind does not provide stays visible rather than raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_folded: tuple[str, str] = ("", "")  # (draft, folded draft) of the last draft seen


def _fold(a: Analysis, i: int) -> str:
    """Sentence ``i`` folded as the lexicon folds it (same length, so offsets carry over)."""
    global _folded
    cached = _folded  # one read of an immutable pair: safe across threads
    if cached[0] is not a.draft:
        cached = (a.draft, fold(a.draft))
        _folded = cached
    s = a.sentences[i]
    return cached[1][s.start : s.end]


def _blocked(a: Analysis, rule: AnyRule, i: int) -> list[tuple[int, int]]:
    """Spans of the rule's exceptions in sentence ``i`` (absolute offsets)."""
    patterns = rule.exceptions.get(a.language, ())
    if not patterns:
        return []
    start = a.sentences[i].start
    folded = _fold(a, i)
    matches = (m for p in patterns for m in compile_pattern(p).finditer(folded))
    return [(start + m.start(), start + m.end()) for m in matches]


def _overlaps(span: tuple[int, int], blocked: Sequence[tuple[int, int]]) -> bool:
    return any(bs < span[1] and span[0] < be for bs, be in blocked)


def hits(a: Analysis, rule: AnyRule, target: Target) -> list[Hit]:
    """Occurrences of ``target`` in the draft, in document order, minus the rule's exceptions.

    A role gives one hit per sentence that has it (spans: that role's cue phrases, or the whole
    sentence when the model found the role without one); a pattern gives one hit per match.
    """
    patterns = [compile_pattern(p) for p in target.patterns.get(a.language, ())]
    roles = set(target.roles)
    out: list[Hit] = []
    for i, s in enumerate(a.sentences):
        found: list[Hit] = []
        if roles and not roles.isdisjoint(s.labels):
            spans = tuple((c.start, c.end) for c in s.cues if c.role in roles) or ((s.start, s.end),)
            found.append(Hit(i, spans))
        if patterns:
            folded = _fold(a, i)
            for rx in patterns:
                for m in rx.finditer(folded):
                    if m.end() > m.start():
                        found.append(Hit(i, ((s.start + m.start(), s.start + m.end()),)))
        if not found:
            continue
        blocked = _blocked(a, rule, i)
        covered: list[tuple[int, int]] = []
        for hit in sorted(found, key=lambda h: h.spans[0]):
            kept = tuple(sp for sp in hit.spans if not _overlaps(sp, blocked))
            if not kept or any(_overlaps(sp, covered) for sp in kept):  # a role and a pattern on one phrase
                continue
            covered.extend(kept)
            out.append(Hit(i, kept))
    return out


def _text(a: Analysis, span: tuple[int, int]) -> str:
    return a.draft[span[0] : span[1]]


def _issue(
    a: Analysis,
    rule: AnyRule,
    spans: Sequence[tuple[int, int]],
    ops: Sequence[Op] = (),
    replacements: Sequence[str] = (),
    note: str | None = None,
    **values: object,
) -> Issue:
    msg = rule.messages[a.language]
    fields = _Values({k: str(v) for k, v in values.items()})
    return Issue(
        check=rule.id,
        spans=sorted(set(spans)),
        ops=list(ops),
        replacements=list(replacements),
        note=note,
        message=msg.message.format_map(fields),
        explanation=msg.explanation.format_map(fields),
        message_language=a.language,
        severity=rule.severity,
        source=(rule.source.title, rule.source.citation or rule.source.title, rule.source.url),
    )


def _fix_text(a: Analysis, fix: Fix) -> tuple[str | None, str | None]:
    """The fix's text in the draft's language with phrase-bank slots filled, or (None, why not)."""
    template = fix.text(a.language)
    if template is None:
        return None, f"the rule has no fix text in {a.language!r}"
    values = {}
    for slot in ("care", "acknowledgement", "action", "next_step", "ownership", "sign_off"):
        if "{" + slot + "}" in template:
            text = a.phrases.slot(slot)
            if not text:
                return None, f"the phrase bank has no {slot} for {a.language!r}"
            values[slot] = text
    return template.format_map(_Values(values)), None


def _body_end(a: Analysis, at: str) -> int:
    first, last = a.body_range()
    return first if at == "start" else last


def _insert_op(
    a: Analysis, fix: Fix, default_at: str, trigger: int | None
) -> tuple[Op | None, str | None, str]:
    text, why = _fix_text(a, fix)
    if text is None:
        return None, why, ""
    at = fix.at or default_at
    if at == "trigger" and trigger is not None:
        return Op("insert_after", trigger, text=text), None, text
    if at == "start":
        return Op("insert_before", _body_end(a, "start"), text=text), None, text
    return Op("insert_after", _body_end(a, "end"), text=text), None, text


def _remove_op(a: Analysis, hit: Hit) -> Op | None:
    start, end = hit.spans[0][0], hit.spans[-1][1]
    s = a.sentences[hit.sentence]
    if (start, end) == (s.start, s.end):
        return Op("delete", hit.sentence)
    return clause_cut(a, hit.sentence, start, end)


# ---------------------------------------------------------------------------------------------- kinds


def existence(a: Analysis, rule: ExistenceRule) -> Iterator[Issue]:
    """One finding per sentence that holds the phrase or the role."""
    by_sentence: dict[int, list[Hit]] = {}
    for hit in hits(a, rule, rule.target):
        by_sentence.setdefault(hit.sentence, []).append(hit)
    for i, found in by_sentence.items():
        spans = [sp for h in found for sp in h.spans]
        ops: list[Op] = []
        replacements: list[str] = []
        note = None
        if rule.fix is not None and rule.fix.remove:
            op = _remove_op(a, Hit(i, tuple(spans)))
            if op is None:
                note = "the phrase shares its clause with other content; edit it by hand"
            else:
                ops.append(op)
        elif rule.fix is not None and rule.fix.replace:
            text, note = _fix_text(a, rule.fix)
            if text is not None:
                ops.append(Op("replace", i, text=text))
                replacements.append(text)
        yield _issue(a, rule, spans, ops, replacements, note, match=_text(a, spans[0]))


def substitution(a: Analysis, rule: SubstitutionRule) -> Iterator[Issue]:
    """One finding per sentence with a phrase to swap; the fix rewrites the sentence with the swaps."""
    table = [(compile_pattern(p, rule.ignorecase), repl) for p, repl in rule.swap.get(a.language, {}).items()]
    if not table:
        return
    for i, s in enumerate(a.sentences):
        folded = _fold(a, i)
        blocked: list[tuple[int, int]] | None = None
        swaps: list[tuple[int, int, str]] = []  # relative to the sentence
        for rx, repl in table:
            for m in rx.finditer(folded):
                start, end = m.start(), m.end()
                original = s.text[start:end]
                wanted = _match_case(original, m.expand(repl) if "\\" in repl else repl)
                if end <= start or original == wanted:
                    continue
                if blocked is None:
                    blocked = _blocked(a, rule, i)
                if _overlaps((s.start + start, s.start + end), blocked):
                    continue
                if any(ps < end and start < pe for ps, pe, _ in swaps):
                    continue
                swaps.append((start, end, wanted))
        if not swaps:
            continue
        swaps.sort()
        new, pos = [], 0
        for start, end, repl in swaps:
            new.append(s.text[pos:start])
            new.append(repl)
            pos = end
        new.append(s.text[pos:])
        new_text = "".join(new)
        ops: list[Op] = []
        note = None
        if _finish(new_text, a.language) == new_text:
            ops.append(Op("replace", i, text=new_text))
        else:  # a sentence without final punctuation (a greeting line): the rewrite would add a full stop
            note = "the sentence has no final punctuation; apply the replacement by hand"
        first = swaps[0]
        yield _issue(
            a,
            rule,
            [(s.start + st, s.start + en) for st, en, _ in swaps],
            ops,
            [r for _, _, r in swaps],
            note,
            match=s.text[first[0] : first[1]],
            replacement=first[2],
        )


def _match_case(original: str, replacement: str) -> str:
    """A replacement written in lower case takes the capital of a match that starts a sentence."""
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def occurrence(a: Analysis, rule: OccurrenceRule) -> Iterator[Issue]:
    found = hits(a, rule, rule.target)
    count = len(found)
    values = {"count": count, "max": rule.max if rule.max is not None else "", "min": rule.min or ""}
    if rule.max is not None and count > rule.max:
        extra = found[rule.max :]
        ops: list[Op] = []
        note = None
        if rule.fix is not None and rule.fix.remove:
            done: set[int] = set()
            for hit in extra:
                if hit.sentence in done:
                    continue
                op = _remove_op(a, hit)
                if op is None:
                    note = "an occurrence shares its clause with other content; edit it by hand"
                    continue
                if op.kind == "delete":
                    done.add(hit.sentence)
                ops.append(op)
        spans = [sp for h in extra for sp in h.spans]
        yield _issue(a, rule, spans, ops, [], note, match=_text(a, spans[0]), **values)
    if rule.min is not None and count < rule.min:
        _, last = a.body_range()
        anchor = a.sentences[last]
        ops = []
        replacements: list[str] = []
        note = None
        if rule.fix is not None and rule.fix.insert:
            op, note, text = _insert_op(a, rule.fix, "end", None)
            if op is not None:
                ops.append(op)
                replacements.append(text)
        yield _issue(a, rule, [(anchor.start, anchor.end)], ops, replacements, note, match="", **values)


def conditional(a: Analysis, rule: ConditionalRule) -> Iterator[Issue]:
    found = hits(a, rule, rule.if_)
    if not found or hits(a, rule, rule.then):
        return
    ops: list[Op] = []
    replacements: list[str] = []
    note = None
    if rule.fix is not None:
        op, note, text = _insert_op(a, rule.fix, "trigger", found[-1].sentence)
        if op is not None:
            ops.append(op)
            replacements.append(text)
    spans = [sp for h in found for sp in h.spans]
    yield _issue(a, rule, spans, ops, replacements, note, match=_text(a, spans[0]))


def order(a: Analysis, rule: OrderRule) -> Iterator[Issue]:
    """Flag the ``before`` sentences that come after the first ``after`` sentence; move them in front."""
    n = len(a.sentences)
    before = [i for i in range(n) if a.has(i, *rule.before) and not a.has(i, *rule.after)]
    after = [i for i in range(n) if a.has(i, *rule.after) and not a.has(i, *rule.before)]
    if not before or not after:
        return
    first = after[0]
    late = [i for i in before if i > first]
    if not late:
        return
    ops = [Op("move_before", i, text=strip_opener(a, a.sentences[i].text), target=first) for i in late]
    spans = [(a.sentences[i].start, a.sentences[i].end) for i in (first, *late)]
    yield _issue(a, rule, spans, ops)


_RUNNERS: Mapping[str, Callable[[Analysis, AnyRule], Iterator[Issue]]] = {
    "existence": existence,  # type: ignore[dict-item]
    "substitution": substitution,  # type: ignore[dict-item]
    "occurrence": occurrence,  # type: ignore[dict-item]
    "conditional": conditional,  # type: ignore[dict-item]
    "order": order,  # type: ignore[dict-item]
}


def applies(a: Analysis, rule: AnyRule) -> bool:
    """Whether ``rule`` runs on this draft: its language, and its ``when`` condition."""
    if a.language not in rule.messages:
        return False
    return rule.when is None or a.context_type in rule.when


def run_rules(a: Analysis) -> list[Issue]:
    """Findings of every team rule of ``a.standards`` that applies to this draft, in rule order."""
    out: list[Issue] = []
    for rule in a.standards.rules:
        if applies(a, rule):
            out.extend(_RUNNERS[rule.kind](a, rule))
    return out
