"""Property tests over arbitrary Unicode: no crash, exact offsets, determinism, rewrite invariants."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wording
from wording import rewrite as rewrite_mod
from wording.errors import WordingError

PHRASES = [
    "Sorry for the delay.", "We apologize!", "So sorry 😔", "Unfortunately the fee is non-refundable.",
    "Good news: your refund went through.", "Check out our Premium plan!", "Use code SAVE20 for 20% off.",
    "Please contact our billing department.", "I've refunded $40 to card 1234.", "Call +1 800 222 2377.",
    "Приносим извинения.", "Atvainojamies!", "نعتذر عن التأخير.", "Ներողություն։", "https://ex.com/a?b=1",
    "order #A-1234", "\n", "  ", "Hi Anna,\n", "Best regards,\nJohn",
]
text_pieces = st.one_of(st.sampled_from(PHRASES), st.text(min_size=1, max_size=30))
drafts = st.lists(text_pieces, min_size=1, max_size=8).map(" ".join)
languages = st.sampled_from(["en", "ru", "lv", "ar", "hy"])
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(draft, lang, context=None):
    try:
        return wording.check(draft, language=lang, context=context)
    except WordingError:
        return None  # a typed, explained refusal is an allowed outcome (e.g. an empty draft)


@SETTINGS
@given(drafts, languages, st.one_of(st.none(), st.sampled_from(["It broke!!", "Do you ship to Riga?", "Thanks, great job!"])))
def test_offsets_are_exact_and_output_is_deterministic(draft, lang, context):
    report = _check(draft, lang, context)
    if report is None:
        return
    assert report.length == len(draft)
    for s in report.sentences:
        assert 0 <= s.start < s.end <= len(draft) and draft[s.start : s.end] == s.text
        for c in s.cues:
            assert s.start <= c.start < c.end <= s.end and draft[c.start : c.end] == c.text
    for f in report.findings:
        for span in f.spans:
            assert 0 <= span.start < span.end <= len(draft) and draft[span.start : span.end] == span.text
    again = _check(draft, lang, context)
    assert again is not None and again.to_json() == report.to_json()


@SETTINGS
@given(drafts, languages)
def test_rewrite_invariants(draft, lang):
    report = _check(draft, lang, "My order never arrived and nobody answers!")
    if report is None:
        return
    rw = report.rewrite
    assert rewrite_mod.apply(draft, rw.edits) == rw.text
    if not report.findings:
        assert rw.text == draft and not rw.changed
    for fact in rw.facts_kept:
        assert fact.text in rw.text
    for p in rw.placeholders:
        assert rw.text[p.start : p.end] == p.text
    for e in rw.edits:
        assert draft[e.start : e.end] == e.original
    if rw.changed:  # what the rewrite says it fixed is not raised again (or it says why not)
        again = wording.check(
            rw.text, language=lang, context="My order never arrived and nobody answers!", context_type=report.context.type
        )
        raised = {f.check for f in again.findings}
        for f in report.findings:
            if f.fixable and f.id not in rw.unresolved:
                assert f.check not in raised, (f.check, rw.text)
