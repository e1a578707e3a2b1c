"""wording.markup: the text of an HTML/Markdown draft, and findings and rewrites mapped back onto it."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wording
from wording.markup import extract, from_annotation

ZENDESK = (
    '<div class="zd-comment" dir="auto">'
    "<p>Hi Daniel,</p>\n"
    "<p>Good news: a <strong>replacement door</strong> is in stock at our Riga warehouse. "
    "Unfortunately, the technician cannot come before Thursday.</p>\n"
    "<p>I&#39;m so sorry about this. We apologize for the inconvenience.</p>\n"
    '<p>While you wait, check out our new <a href="https://shop.example/warranty">extended warranty '
    "plans</a>!</p>\n"
    "<p>Best regards,<br>Marta<br><em>Customer Care &amp; Repairs</em></p>"
    "</div>"
)
COMPLAINT = "My new washing machine arrived with a cracked door. Order WM-20931. Nobody has called me back!"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ----------------------------------------------------------------------------------------- HTML text


def test_html_text_is_what_the_customer_reads() -> None:
    m = extract(ZENDESK, "html")
    assert m.text.startswith("Hi Daniel,\n\nGood news: a replacement door is in stock")
    assert "I'm so sorry about this." in m.text  # &#39; decoded
    assert "Customer Care & Repairs" in m.text  # &amp; decoded
    assert "Best regards,\nMarta\nCustomer Care" in m.text  # <br> is a line break
    assert "<" not in m.text and "href" not in m.text
    assert "\n\n\n" not in m.text


def test_html_whitespace_collapses_like_a_browser_but_not_in_pre() -> None:
    m = extract("<p>  Thanks\n      for   waiting. </p><pre>a  b\n c</pre>", "html")
    assert m.text == "Thanks for waiting.\n\na  b\n c"


def test_html_skips_scripts_styles_and_comments() -> None:
    m = extract(
        "<style>p{color:red}</style><p>Hello<!-- internal note: refund? --> there</p><script>x()</script>",
        "html",
    )
    assert m.text == "Hello there"


def test_gmail_style_divs_become_lines() -> None:
    m = extract(
        "<div>Hi Ann,</div><div><br></div><div>Your refund is on its way.</div>"
        "<div>Best,</div><div>Omar</div>",
        "html",
    )
    assert m.text == "Hi Ann,\n\nYour refund is on its way.\nBest,\nOmar"


def test_every_text_character_maps_to_its_source() -> None:
    m = extract(ZENDESK, "html")
    for i, ch in enumerate(m.text):
        if m.is_synthetic(i):
            assert ch == "\n"
            continue
        raw = ZENDESK[m.starts[i] : m.ends[i]]
        if raw.startswith("&"):
            assert ch in ("'", "&")
        elif ch == " ":
            assert raw.isspace()
        else:
            assert raw == ch


def test_finding_spans_map_onto_the_markup() -> None:
    m = extract(ZENDESK, "html")
    report = wording.check(m.text, context=COMPLAINT, language="en")
    by_check = {f.check: f for f in report.findings}
    apology = by_check["over_apology"]
    sources = [ZENDESK[slice(*m.source_span(s.start, s.end))] for s in apology.spans]
    assert sources[0] == "I&#39;m so sorry"
    promo = by_check["promo_clash"].spans[0]
    s, e = m.source_span(promo.start, promo.end)
    assert "check out" in ZENDESK[s:e]


def test_rewrite_keeps_the_markup_and_matches_the_plain_rewrite() -> None:
    m = extract(ZENDESK, "html")
    report = wording.check(m.text, context=COMPLAINT, language="en")
    assert report.rewrite.changed
    new_html = m.apply(report.rewrite.edits)
    # what the customer reads is exactly the plain rewrite
    assert extract(new_html, "html").text == report.rewrite.text
    # the tags that are left are the draft's own, in order, and still balanced
    tags = re.findall(r"</?[a-z]+[^>]*>", new_html)
    original = re.findall(r"</?[a-z]+[^>]*>", ZENDESK)
    it = iter(original)
    assert all(tag in it for tag in tags)  # a subsequence of the original tags
    assert new_html.count("<p>") == new_html.count("</p>")
    assert new_html.startswith('<div class="zd-comment" dir="auto"><p>Hi Daniel,</p>')
    assert "<strong>replacement door</strong>" in new_html
    assert "<em>Customer Care &amp; Repairs</em>" in new_html
    # the promotion went with its sentence, link and all, and its paragraph did not stay behind empty
    promo = [f for f in report.findings if f.check == "promo_clash"]
    assert promo and promo[0].id not in report.rewrite.unresolved
    assert "warranty" not in new_html and "<a " not in new_html
    assert "<p></p>" not in new_html
    for placeholder in report.rewrite.placeholders:
        assert placeholder.text in new_html


def test_a_paragraph_the_rewrite_empties_disappears_with_its_tags() -> None:
    src = "<p>Thanks for your patience.</p><p>We apologize for the inconvenience.</p><p>Kind regards</p>"
    m = extract(src, "html")
    start = m.text.index("We apologize")
    end = m.text.index("Kind")
    assert m.apply([(start, end, "")]) == "<p>Thanks for your patience.</p><p>Kind regards</p>"


def test_source_spans_are_balanced_over_inline_tags() -> None:
    src = "<p>I am <b>so sorry</b> and <i>truly</i> sorry.</p>"
    m = extract(src, "html")
    k = m.text.index("am")
    s, e = m.source_span(k, m.text.index(" and"))
    assert src[s:e] == "am <b>so sorry</b>"
    k = m.text.index("so sorry")
    s, e = m.source_span(k, m.text.index("truly") + 2)
    assert src[s:e] == "<b>so sorry</b> and <i>tr"  # </b> inside opens the span at <b>; <i> is cut mid-word


def test_replacement_text_is_escaped_in_html() -> None:
    m = extract("<p>Use code <b>SAVE20</b> today.</p>", "html")
    start = m.text.index("Use")
    end = len(m.text)
    out = m.apply([(start, end, "Refunds take <5 days & are free.")])
    assert out == "<p>Refunds take &lt;5 days &amp; are free.</p>"
    assert extract(out, "html").text == "Refunds take <5 days & are free."


def test_insertions_land_outside_inline_tags() -> None:
    m = extract("<p>Hello <b>Ann</b></p><p>Your order shipped.</p>", "html")
    after = m.text.index("Ann") + 3
    out = m.apply([(after, after, " Thanks for your patience.")])
    assert out == "<p>Hello <b>Ann</b> Thanks for your patience.</p><p>Your order shipped.</p>"
    before = m.text.index("Your")
    out = m.apply([(before, before, "I understand. ")])
    assert out == "<p>Hello <b>Ann</b></p><p>I understand. Your order shipped.</p>"


def test_overlapping_edits_are_refused() -> None:
    m = extract("<p>abcdef</p>", "html")
    with pytest.raises(ValueError, match="overlaps"):
        m.source_edits([(0, 3, "x"), (2, 4, "y")])
    with pytest.raises(ValueError, match="outside"):
        m.source_edits([(0, 99, "x")])


def test_emoji_and_arabic_offsets_are_code_points() -> None:
    src = '<p dir="rtl">نعتذر 🙏 عن التأخير.</p>'
    m = extract(src, "html")
    assert m.text == "نعتذر 🙏 عن التأخير."
    k = m.text.index("🙏")
    s, e = m.source_span(k, k + 1)
    assert src[s:e] == "🙏"
    assert m.apply([(k, k + 2, "")]) == '<p dir="rtl">نعتذر عن التأخير.</p>'


# -------------------------------------------------------------------------------------- Markdown, text


def test_markdown_text_without_markup() -> None:
    src = (
        "## Update\n\nHi **Ann**, your [order](https://shop.example/o/1) has _shipped_.\n"
        "- Track it: `TRK-9`\n\\*not emphasis\\*"
    )
    m = extract(src, "markdown")
    assert m.text == "Update\n\nHi Ann, your order has shipped.\nTrack it: TRK-9\n*not emphasis*"
    k = m.text.index("order")
    s, e = m.source_span(k, k + 5)
    assert src[s:e] == "order"
    out = m.apply([(m.text.index("your"), m.text.index("has"), "the parcel ")])
    assert (
        out == "## Update\n\nHi **Ann**, the parcel has _shipped_.\n- Track it: `TRK-9`\n\\*not emphasis\\*"
    )


def test_markdown_leaves_snake_case_and_arithmetic_alone() -> None:
    m = extract("Set retry_limit to 2 * 3 now.", "markdown")
    assert m.text == "Set retry_limit to 2 * 3 now."


def test_text_format_is_the_identity() -> None:
    m = extract("Sorry 😀 again", "text")
    assert m.text == "Sorry 😀 again"
    assert m.source_span(6, 7) == (6, 7)
    assert m.apply([(0, 6, "")]) == "😀 again"
    with pytest.raises(ValueError):
        extract("x", "rtf")


# --------------------------------------------------------------------------------- LT annotation


def test_languagetool_annotation() -> None:
    parts = [
        {"markup": "<p>"},
        {"text": "Sorry. "},
        {"markup": "<b>"},
        {"text": "Sorry"},
        {"markup": "</b>"},
        {"text": " again."},
        {"markup": "</p><p>", "interpretAs": "\n\n"},
        {"text": "Bye"},
    ]
    m = from_annotation(parts)
    assert m.source == "<p>Sorry. <b>Sorry</b> again.</p><p>Bye"
    assert m.text == "Sorry. Sorry again.\n\nBye"
    k = m.text.index("Sorry", 1)
    assert m.source_span(k, k + 5) == (13, 18)
    assert m.source_span(m.text.index("Bye"), len(m.text)) == (36, 39)
    with pytest.raises(ValueError):
        from_annotation([{"text": "a", "markup": "b"}])


# ------------------------------------------------------------------------------------------ property

_TAGS = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<div>",
    "</div>",
    "<br>",
    "<li>",
    "</li>",
    "<span class=x>",
    "</span>",
]
_WORDS = [
    "Sorry",
    "we",
    "apologize",
    "!",
    ".",
    " ",
    "  \n ",
    "&amp;",
    "&lt;",
    "&#128512;",
    "😀",
    "نعتذر",
    "Ок",
    "[when]",
]

html_docs = st.lists(st.sampled_from(_TAGS + _WORDS), max_size=25).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=html_docs, data=st.data())
def test_property_edits_on_text_are_edits_on_markup(doc: str, data: st.DataObject) -> None:
    m = extract(doc, "html")
    n = len(m.text)
    # mapping invariants
    for i in range(n):
        assert 0 <= m.starts[i] <= m.ends[i] <= len(doc)
        if i:
            assert m.starts[i - 1] <= m.starts[i]
    # random non-overlapping edits: the text of the edited markup is the edited text
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=6)))
    edits = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        edits.append(
            (a, b, data.draw(st.sampled_from(["", "Thanks.", " I will call you by [when].", "a<b&c "])))
        )
    expected = []
    pos = 0
    for a, b, r in edits:
        expected.append(m.text[pos:a] + r)
        pos = b
    expected.append(m.text[pos:])
    out = m.apply(edits)
    assert squash(extract(out, "html").text) == squash("".join(expected))
    # and nothing outside the edited ranges changed: no edits, same markup
    assert m.apply([]) == doc
