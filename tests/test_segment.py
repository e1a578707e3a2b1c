"""Sentence segmentation on real text (the seed articles) and on what breaks naive splitters."""

from __future__ import annotations

import pytest

from wording.segment import split
from wording.standards import default_standards

SEED_LANG = {"000": "lv", "001": "ar", "002": "ru", "003": "ru", "004": "hy"}


def _split(text: str, lang: str):
    return split(text, lang, tuple(default_standards().pack(lang).abbreviations))


@pytest.mark.parametrize("seed", sorted(SEED_LANG))
def test_seed_articles_split_with_exact_offsets(seeds, seed):
    text, lang = seeds[seed], SEED_LANG[seed]
    sents = _split(text, lang)
    assert len(sents) > 15, "a whole article must split into many sentences"
    for s in sents:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    starts = [s.start for s in sents]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(sents, sents[1:], strict=False))


def test_armenian_full_stop_and_colon_end_sentences(seeds):
    text = seeds["004"]
    sents = _split(text, "hy")
    # The Armenian article ends sentences with "։" and with ASCII ":" — both must split.
    assert any(s.text.endswith(":") for s in sents)
    assert not any(": Բ" in s.text or ":  Բ" in s.text for s in sents)
    assert [s.text for s in _split("Բարև Ձեզ։ Ներողություն ուշացման համար։ Մենք կվերադարձնենք գումարը։", "hy")] == [
        "Բարև Ձեզ։",
        "Ներողություն ուշացման համար։",
        "Մենք կվերադարձնենք գումարը։",
    ]


def test_latvian_ordinals_do_not_end_sentences(seeds):
    sents = [s.text for s in _split("Sveiki! Pasūtījums tiks piegādāts 3. martā. Atvainojamies par kavēšanos.", "lv")]
    assert sents == ["Sveiki!", "Pasūtījums tiks piegādāts 3. martā.", "Atvainojamies par kavēšanos."]
    article = [s.text for s in _split(seeds["000"], "lv")]
    assert any(s.startswith("2007. gadā Klientu kontaktu padomes") and s.endswith("dienestu.") for s in article)


@pytest.mark.parametrize(
    "lang,text,expected",
    [
        (
            "en",
            "Hi Mr. Smith,\nthanks for writing on Mar. 3rd. Your plan costs $9.99/mo. We refunded order #A-123.45 today!",
            ["Hi Mr. Smith,", "thanks for writing on Mar. 3rd.", "Your plan costs $9.99/mo.", "We refunded order #A-123.45 today!"],
        ),
        (
            "en",
            "See https://help.example.com/a.b?c=1.2 or write to ann.lee@example.co.uk. Thanks 😊\nBest regards,\nJohn",
            ["See https://help.example.com/a.b?c=1.2 or write to ann.lee@example.co.uk.", "Thanks 😊", "Best regards,", "John"],
        ),
        ("ru", "Здравствуйте! Заказ № 123 доставят 5 марта, т.е. через неделю. Приносим извинения.",
         ["Здравствуйте!", "Заказ № 123 доставят 5 марта, т.е. через неделю.", "Приносим извинения."]),
        ("ar", "مرحبا! نعتذر عن التأخير. هل وصلك الطلب؟ شكرا", ["مرحبا!", "نعتذر عن التأخير.", "هل وصلك الطلب؟", "شكرا"]),
        ("en", "The total is 3.5 GB. Version 2.0.1 fixes it.", ["The total is 3.5 GB.", "Version 2.0.1 fixes it."]),
        ("en", "Sorry!!! 🙏🙏 We're on it.", ["Sorry!!! 🙏🙏", "We're on it."]),
    ],
)
def test_hazards(lang, text, expected):
    assert [s.text for s in _split(text, lang)] == expected
