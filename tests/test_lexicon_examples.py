"""Every cue of the default standards proves itself: its examples match, its counter-examples don't.

The examples live next to the patterns in wording/data/standards/<lang>.yml, so a pattern edited in a
hurry that stops matching what it was written for fails here, with the entry id in the test name.
"""

from __future__ import annotations

import pytest

from wording.lexicon import LexiconScorer, fold
from wording.standards import compile_pattern, default_standards, iter_cue_entries
from wording.types import Role

STANDARDS = default_standards()
SCORER = LexiconScorer(STANDARDS)
ENTRIES = list(iter_cue_entries(STANDARDS))


def test_every_language_pack_has_cues_for_every_role():
    for code, pack in STANDARDS.languages.items():
        missing = [r.value for r in Role if r.value not in {str(k) for k in pack.roles}]
        assert not missing, f"{code}: no cues for {missing}"


def test_every_cue_has_examples():
    bare = [f"{lang}:{entry.id}" for lang, _name, kind, entry in ENTRIES if kind == "cues" and not entry.examples]
    assert not bare, f"cues without examples: {bare}"


@pytest.mark.parametrize(
    ("lang", "name", "kind", "entry"), ENTRIES, ids=[f"{lang}:{e.id}" for lang, _n, _k, e in ENTRIES]
)
def test_cue_examples(lang, name, kind, entry):
    rx = compile_pattern(entry.pattern)
    for example in entry.examples:
        assert rx.search(fold(example)), f"{entry.id} does not match its example {example!r}"
    is_context = name in {str(k) for k in STANDARDS.languages[lang].context} and name not in {
        str(k) for k in STANDARDS.languages[lang].roles
    }
    for counter in entry.counter:
        if is_context:
            tags = {c.tag for c in SCORER.find(counter, lang, context=True)}
            assert f"ctx:{name}" not in tags, f"{entry.id}: counter-example {counter!r} is classified {name}"
        else:
            roles = {c.role.value for c in SCORER.find(counter, lang)}
            assert name not in roles, f"{entry.id}: counter-example {counter!r} still gets the role {name}"
