"""The checks. Each is a function of an :class:`Analysis` that returns :class:`Issue` values: a finding
plus the sentence-level operations that fix it (``wording.rewrite`` turns those into edits).

Check ids are part of the API contract (``wording.types.CheckId``). What words mean is data (standards
files); what structure means is code, here. Sources and rationale live in the standards file
(``checks.<id>.source``) and in ../shared/research/evidence.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .standards import Standards, compile_pattern
from .types import CheckId, ContextType, Cue, Fact, Goal, Role, Sentence

DOING = (Role.ACTION, Role.NEXT_STEP, Role.GOOD_NEWS)
_CLAUSE_DELIMS = ",;:—–،؛՝"


@dataclass(frozen=True)
class Op:
    """A change to one sentence, in sentence terms; the rewrite turns it into character edits."""

    kind: Literal["delete", "replace", "insert_before", "insert_after", "move_before", "trim"]
    sentence: int
    text: str = ""  # replacement, inserted text, or the text a moved sentence takes
    target: int | None = None  # move_before: the sentence to move in front of
    start: int = 0  # trim: absolute span to cut from the sentence
    end: int = 0


@dataclass
class Issue:
    check: CheckId | str  # a built-in CheckId, or the id of a team rule (standards file)
    spans: list[tuple[int, int]]
    ops: list[Op] = field(default_factory=list)
    variant: str | None = None  # message variant (e.g. "news_order_action")
    replacements: list[str] = field(default_factory=list)
    note: str | None = None  # why an automatic fix was not possible
    # Team rules carry their own text; built-in checks take theirs from the standards' messages.
    message: str | None = None
    explanation: str | None = None
    message_language: str | None = None
    severity: str | None = None
    source: tuple[str, str, str | None] | None = None  # (title, citation, url)
    covered: bool = False  # no edit of its own because another finding's fix already fixes it


@dataclass(frozen=True)
class Analysis:
    draft: str
    language: str
    goal: Goal
    context_type: ContextType
    context_text: str | None
    context_facts: tuple[Fact, ...]
    sentences: tuple[Sentence, ...]
    standards: Standards

    def has(self, i: int, *roles: Role) -> bool:
        return any(r in self.sentences[i].labels for r in roles)

    def cues(self, role: Role) -> list[tuple[int, Cue]]:
        return [(i, c) for i, s in enumerate(self.sentences) for c in s.cues if c.role == role]

    @property
    def complaint(self) -> bool:
        return self.context_type == ContextType.COMPLAINT

    @property
    def phrases(self):  # type: ignore[no-untyped-def]
        return self.standards.pack(self.language).phrases

    def body_range(self) -> tuple[int, int]:
        """Indices of the first and last sentence that are neither greeting nor closing."""
        idx = [i for i in range(len(self.sentences)) if not self.has(i, Role.GREETING, Role.CLOSING)]
        if not idx:
            return 0, len(self.sentences) - 1
        return idx[0], idx[-1]


# ------------------------------------------------------------------------------------------- helpers

_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def clause_cut(a: Analysis, i: int, cue_start: int, cue_end: int, keep_roles: Sequence[Role] = ()) -> Op | None:
    """An op that removes the clause holding ``[cue_start, cue_end)`` from sentence ``i``.

    Returns a ``delete`` of the whole sentence when little else is left, a ``trim`` of the clause
    when the rest of the sentence stands on its own, or None when the clause carries other cues.
    """
    s = a.sentences[i]
    text = s.text
    rel_s, rel_e = cue_start - s.start, cue_end - s.start
    while rel_e > rel_s + 1 and (text[rel_e - 1] in _CLAUSE_DELIMS or text[rel_e - 1].isspace()):
        rel_e -= 1  # a cue that swallowed its clause's comma still ends its clause there
    left = max((text.rfind(d, 0, rel_s) for d in _CLAUSE_DELIMS), default=-1)
    right_hits = [p for p in (text.find(d, rel_e) for d in _CLAUSE_DELIMS) if p != -1]
    right = min(right_hits) if right_hits else -1
    if left == -1 and right != -1:  # the clause opens the sentence: cut through the delimiter
        cut = (0, right + 1)
        if _opens_dependent_clause(a, text[right + 1 :]):
            # "Sorry, that it happened." is no sentence: drop it whole unless the rest says more
            rest_cues = [
                c for c in s.cues
                if c.start - s.start > right and c.role not in keep_roles
                and c.role not in (Role.APOLOGY, Role.EMPATHY, Role.QUESTION)
            ]
            return None if rest_cues else Op("delete", i)
    elif left != -1:  # the clause closes the sentence (or sits in the middle): cut from the delimiter
        end = right if right != -1 else len(text.rstrip(".!?…։؟"))
        cut = (left, end)
    else:
        cut = (0, len(text))
    others = [
        c for c in s.cues
        if c.start - s.start < cut[1] and cut[0] < c.end - s.start
        and not (c.start == cue_start and c.end == cue_end) and c.role not in keep_roles
        and c.role not in (Role.APOLOGY, Role.EMPATHY, Role.QUESTION)
    ]
    rest = text[: cut[0]] + text[cut[1]:]
    if cut == (0, len(text)) or _words(rest) < 3:
        return Op("delete", i)
    if others:
        return None
    return Op("trim", i, start=s.start + cut[0], end=s.start + cut[1])


def _opens_dependent_clause(a: Analysis, rest: str) -> bool:
    words = a.phrases.subordinators
    if not words:
        return False
    head = rest.lstrip().casefold()
    return any(
        head.startswith(w.casefold()) and (len(head) == len(w) or not head[len(w)].isalnum()) for w in words
    )


# -------------------------------------------------------------------------------------------- checks


def over_apology(a: Analysis) -> Iterator[Issue]:
    cues = a.cues(Role.APOLOGY)
    n = len(cues)
    if n == 0:
        return
    limit = a.standards.check(CheckId.OVER_APOLOGY).max_apologies or 2
    doing = [i for i in range(len(a.sentences)) if a.has(i, *DOING)]
    too_many = n > limit
    stacked = any(
        not any(ci < d < cj for d in doing) and not (ci == cj and a.has(ci, *DOING))
        for (ci, _), (cj, _) in zip(cues, cues[1:], strict=False)
    )
    alone = a.complaint and not doing
    if not (too_many or stacked or alone):
        return
    # keep the most specific apology: the one whose sentence says most besides the apology
    generic = [compile_pattern(p) for p in a.phrases.generic_apology]

    def specificity(item: tuple[int, Cue]) -> tuple[int, int]:
        i, cue = item
        text = a.sentences[i].text
        penalty = 3 * sum(1 for rx in generic if rx.search(text))
        return (_words(text) - _words(cue.text) - penalty, -i)

    best_i, best = max(cues, key=specificity)
    ops: list[Op] = []
    note = None
    if too_many or stacked:
        seen_deleted: set[int] = set()
        for i, cue in cues:
            if cue is best or i in seen_deleted:
                continue
            op = clause_cut(a, i, cue.start, cue.end, keep_roles=(Role.APOLOGY,))
            if op is None:
                note = "an extra apology shares its clause with other content; edit it by hand"
                continue
            if op.kind == "delete":
                if i == best_i:
                    continue
                seen_deleted.add(i)
            ops.append(op)
    if not doing and a.phrases.action:
        ops.append(Op("insert_after", best_i, text=a.phrases.action))
    yield Issue(
        CheckId.OVER_APOLOGY,
        spans=[(c.start, c.end) for _, c in cues],
        ops=ops,
        note=note,
        replacements=[a.phrases.action] if (not doing and a.phrases.action) else [],
    )


def news_order(a: Analysis) -> Iterator[Issue]:
    good = [i for i in range(len(a.sentences)) if a.has(i, Role.GOOD_NEWS) and not a.has(i, Role.BAD_NEWS)]
    bad = [i for i in range(len(a.sentences)) if a.has(i, Role.BAD_NEWS) and not a.has(i, Role.GOOD_NEWS)]
    if not good or not bad:
        return
    if a.goal == "satisfaction":
        first, late, variant = good[0], [b for b in bad if b > good[0]], None
    else:
        first, late, variant = bad[0], [g for g in good if g > bad[0]], "news_order_action"
    if not late:
        return
    ops = [Op("move_before", i, text=strip_opener(a, a.sentences[i].text), target=first) for i in late]
    spans = [(a.sentences[first].start, a.sentences[first].end)] + [
        (a.sentences[i].start, a.sentences[i].end) for i in late
    ]
    yield Issue(CheckId.NEWS_ORDER, spans=spans, ops=ops, variant=variant)


def strip_opener(a: Analysis, text: str) -> str:
    """Drop a contrastive opener ("However, ...") that no longer refers to anything once moved first."""
    for opener in sorted(a.phrases.contrast_openers, key=len, reverse=True):
        m = re.match(rf"\s*{re.escape(opener)}\b[\s,،:—–-]*", text, re.IGNORECASE)
        if m and m.end() < len(text):
            rest = text[m.end():]
            return rest[:1].upper() + rest[1:]
    return text


def promo_clash(a: Analysis) -> Iterator[Issue]:
    if not a.complaint:
        return
    promos = [i for i in range(len(a.sentences)) if a.has(i, Role.PROMOTION)]
    has_care = any(a.has(i, Role.EMPATHY) for i in range(len(a.sentences)))
    care = a.phrases.care[0] if a.phrases.care else None
    for n, i in enumerate(promos):
        s = a.sentences[i]
        promo_cues = [c for c in s.cues if c.role == Role.PROMOTION]
        spans = [(c.start, c.end) for c in promo_cues] or [(s.start, s.end)]
        note = None
        if n == 0 and not has_care and care:
            op: Op | None = Op("replace", i, text=care)
        elif promo_cues and not a.has(i, Role.ACTION, Role.BAD_NEWS, Role.GOOD_NEWS, Role.NEXT_STEP):
            op = Op("delete", i)
        elif promo_cues:
            op = clause_cut(a, i, promo_cues[0].start, promo_cues[-1].end)
        else:  # the model found promotion without a cue phrase: the whole sentence goes
            op = Op("delete", i)
        if op is None:
            note = "the promotion shares its clause with other content; edit it by hand"
        yield Issue(
            CheckId.PROMO_CLASH,
            spans=spans,
            ops=[op] if op else [],
            note=note,
            replacements=[care] if (care and not has_care) else [""],
        )


_ASK_FACTS = {
    "ask:order_number": ("order_id", "number"),
    "ask:account": ("order_id", "number"),
    "ask:email": ("email",),
    "ask:phone": ("phone",),
}


def _given(a: Analysis, tag: str) -> Fact | None:
    kinds = _ASK_FACTS.get(tag)
    if not kinds:
        return None
    for fact in a.context_facts:
        if fact.kind in kinds and (fact.kind != "number" or sum(ch.isdigit() for ch in fact.text) >= 4):
            return fact
    return None


def customer_effort(a: Analysis) -> Iterator[Issue]:
    """One finding per sentence that pushes work onto the customer; its fix covers every cue in it."""
    limit = a.standards.check(CheckId.CUSTOMER_EFFORT).max_asks or 1
    asked: dict[str, int] = {}
    for i, s in enumerate(a.sentences):
        cues = [c for c in s.cues if c.role == Role.CUSTOMER_EFFORT]
        if not cues:
            if s.effort == "redirect" and Role.CUSTOMER_EFFORT in s.labels and not a.has(i, Role.QUESTION):
                # the model found a redirect without a cue phrase; a single ask or a self-service
                # instruction it finds is normal service (models/data/DATA.md)
                op = Op("replace", i, text=a.phrases.ownership) if a.phrases.ownership else None
                yield Issue(CheckId.CUSTOMER_EFFORT, spans=[(s.start, s.end)], ops=[op] if op else [])
            continue
        flagged: list[Cue] = []
        given: Fact | None = None
        repeated = False
        redirect = False
        for cue in cues:
            tag = cue.tag or "redirect"
            if tag.startswith("ask:"):
                asked[tag] = asked.get(tag, 0) + 1
                fact = _given(a, tag)
                if fact is not None:
                    given = given or fact
                    flagged.append(cue)
                elif asked[tag] > limit:
                    repeated = True
                    flagged.append(cue)
                # asking once for what is needed and not yet given is fine
            else:
                redirect = True
                flagged.append(cue)
        if not flagged:
            continue
        parts = []
        if given is not None and a.phrases.have_info:
            parts.append(a.phrases.have_info.format(value=given.text))
        if redirect and a.phrases.ownership:
            parts.append(a.phrases.ownership)
        text = " ".join(_finish_sentence(p) for p in parts)
        if parts:
            cut = (
                clause_cut(a, i, flagged[0].start, flagged[-1].end, keep_roles=(Role.CUSTOMER_EFFORT,))
                if a.has(i, *DOING)
                else None
            )
            # a sentence that also promises something loses only the request; the fix goes after it
            if cut is not None and cut.kind == "trim":
                ops = [cut, Op("insert_after", i, text=text)]
            else:
                ops = [Op("replace", i, text=text)]
        elif repeated:
            ops = [clause_cut(a, i, flagged[0].start, flagged[-1].end) or Op("delete", i)]
        else:
            ops = []
        yield Issue(
            CheckId.CUSTOMER_EFFORT,
            spans=[(c.start, c.end) for c in flagged],
            ops=ops,
            replacements=[text] if parts else [],
        )


def _finish_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "։", "؟")) else text + "."


def missing_acknowledgement(a: Analysis) -> Iterator[Issue]:
    if not a.complaint or not a.sentences:
        return
    if any(a.has(i, Role.EMPATHY, Role.APOLOGY) for i in range(len(a.sentences))):
        return
    first, _ = a.body_range()
    s = a.sentences[first]
    text = a.phrases.acknowledgement[0] if a.phrases.acknowledgement else None
    ops = [Op("insert_before", first, text=text)] if text else []
    yield Issue(CheckId.MISSING_ACKNOWLEDGEMENT, spans=[(s.start, s.end)], ops=ops, replacements=[text] if text else [])


def missing_next_step(a: Analysis) -> Iterator[Issue]:
    if not a.complaint or not a.sentences:
        return
    if any(a.has(i, *DOING) for i in range(len(a.sentences))):
        return
    _, last = a.body_range()
    s = a.sentences[last]
    text = a.phrases.next_step
    ops = [Op("insert_after", last, text=text)] if text else []
    yield Issue(CheckId.MISSING_NEXT_STEP, spans=[(s.start, s.end)], ops=ops, replacements=[text] if text else [])


CHECKS: tuple[tuple[CheckId, Callable[[Analysis], Iterator[Issue]]], ...] = (
    (CheckId.OVER_APOLOGY, over_apology),
    (CheckId.NEWS_ORDER, news_order),
    (CheckId.PROMO_CLASH, promo_clash),
    (CheckId.CUSTOMER_EFFORT, customer_effort),
    (CheckId.MISSING_ACKNOWLEDGEMENT, missing_acknowledgement),
    (CheckId.MISSING_NEXT_STEP, missing_next_step),
)


def run(a: Analysis, disabled: Sequence[str] = ()) -> list[Issue]:
    out: list[Issue] = []
    for check_id, fn in CHECKS:
        if check_id in disabled or not a.standards.check(check_id).enabled:
            continue
        out.extend(fn(a))
    ownership = a.phrases.ownership
    if ownership and any(
        issue.check == CheckId.CUSTOMER_EFFORT and any(ownership in op.text for op in issue.ops)
        for issue in out
    ):
        # the ownership sentence already says who acts and when: a second next-step placeholder is noise
        for issue in out:
            if issue.check == CheckId.MISSING_NEXT_STEP and issue.ops:
                issue.ops = []
                issue.covered = True
                issue.note = "the ownership sentence added for customer_effort says what happens next"
    try:
        from .rules import run_rules
    except ImportError:  # team rules arrive with wording.rules
        return out
    out.extend(issue for issue in run_rules(a) if str(issue.check) not in disabled)
    return out
