"""The LanguageTool-compatible endpoint: its response shape, UTF-16 offsets, rule switches, and the real
``language_tool_python`` client pointed at a running server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import COMPLAINT_EN, DRAFT_EN

import wording
from web.schemas import LTCheckResponse
from wording.types import CheckId

EMOJI_DRAFT = (
    "🙏🙏 Hi Anna, we are so sorry 😔 about the delay. We apologize for the inconvenience. Sorry again!"
)
ARABIC_DRAFT = "مرحباً 🌷 دانيال، نحن آسفون جداً لما حدث. نعتذر عن الإزعاج. نأسف مرة أخرى على هذه التجربة."
ARABIC_COMPLAINT = "وصلتني الغسالة وبابها مكسور ولم يتصل بي أحد منذ أسبوع!"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cp_end(text: str, start: int, units: int) -> int:
    """The code-point end of a range that starts at ``start`` and is ``units`` UTF-16 units long."""
    end, used = start, 0
    while used < units:
        used += utf16(text[end])
        end += 1
    assert used == units, "the length splits a surrogate pair"
    return end


def lt(client: Any, **form: str) -> Any:
    return client.post("/v2/check", data=form)


def test_response_has_languagetools_shape(client: Any) -> None:
    resp = lt(client, text=DRAFT_EN, language="en-US")
    assert resp.status_code == 200
    body = resp.get_json()
    LTCheckResponse.model_validate(body)  # every field LanguageTool clients read, nothing else
    assert body["software"]["apiVersion"] == 1
    assert body["warnings"] == {"incompleteResults": False}
    assert body["language"]["code"] == "en-US" and body["language"]["name"] == "English (US)"
    match = body["matches"][0]
    assert match["type"] == {"typeName": "Hint"}
    assert match["rule"]["issueType"] == "style"
    assert match["rule"]["id"].startswith("CS_")
    assert match["rule"]["urls"][0]["value"].startswith("https://")
    ctx = match["context"]
    assert (
        ctx["text"][ctx["offset"] : ctx["offset"] + ctx["length"]]
        == DRAFT_EN.replace("\n", " ")[match["offset"] : match["offset"] + match["length"]]
    )


def test_offsets_count_utf16_units(client: Any) -> None:
    body = lt(client, text=EMOJI_DRAFT, language="en").get_json()
    report = wording.check(EMOJI_DRAFT, language="en")
    assert body["matches"]
    units = EMOJI_DRAFT.encode("utf-16-le")
    for m in body["matches"]:
        covered = units[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le")
        finding = next(f for f in report.findings if "CS_" + f.check.upper() == m["rule"]["id"])
        for span in finding.spans:
            assert span.text in covered
    first = min(m["offset"] for m in body["matches"])
    assert first == utf16("🙏🙏 Hi Anna, ")  # 2 emoji = 4 units, not 2


def test_applying_a_match_makes_exactly_the_rewrite_change(client: Any) -> None:
    body = lt(client, text=DRAFT_EN, language="en")
    report = wording.check(DRAFT_EN, language="en")
    fixable = {f.id: f for f in report.findings if f.fixable and f.id not in report.rewrite.unresolved}
    assert fixable
    for m in body.get_json()["matches"]:
        if not m["replacements"]:
            continue
        start = m["offset"]  # the draft has no astral characters: units == code points
        end = start + m["length"]
        fixed = DRAFT_EN[:start] + m["replacements"][0]["value"] + DRAFT_EN[end:]
        candidates = [
            wording.rewrite.apply(DRAFT_EN, [e for e in report.rewrite.edits if e.finding == fid])
            for fid in fixable
        ]
        assert fixed in candidates


def test_annotation_offsets_count_the_markup(client: Any) -> None:
    annotation = [
        {"markup": "<p>"},
        {"text": "Hi Anna, "},
        {"markup": "<b>"},
        {"text": "we are so sorry"},
        {"markup": "</b>"},
        {"text": " about the delay. We apologize for the inconvenience. Sorry again!"},
        {"markup": "</p>", "interpretAs": "\n\n"},
    ]
    data = json.dumps(
        {"annotation": annotation, "metaData": {"customerMessage": "My parcel is a week late!"}}
    )
    body = lt(client, data=data, language="en-US").get_json()
    document = "".join(p.get("text", p.get("markup", "")) for p in annotation)
    apology = next(m for m in body["matches"] if m["rule"]["id"] == "CS_OVER_APOLOGY")
    covered = document[apology["offset"] : apology["offset"] + apology["length"]]
    assert covered.startswith("we are so sorry</b>")
    assert covered.endswith("Sorry again!")


def test_customer_message_rides_in_metadata(client: Any) -> None:
    draft = "Thanks for your message! While you wait, check out our new premium plans with code SAVE20."
    without = lt(client, data=json.dumps({"text": draft}), language="en").get_json()
    with_msg = lt(
        client,
        data=json.dumps(
            {"text": draft, "metaData": {"customerMessage": COMPLAINT_EN, "EmailToAddress": "x@y.z"}}
        ),
        language="en",
    ).get_json()
    expected = wording.check(draft, context=COMPLAINT_EN, language="en")
    assert {m["rule"]["id"] for m in with_msg["matches"]} == {
        "CS_" + f.check.upper() for f in expected.findings
    }
    assert "CS_PROMO_CLASH" in {m["rule"]["id"] for m in with_msg["matches"]}
    assert {m["rule"]["id"] for m in without["matches"]} != {m["rule"]["id"] for m in with_msg["matches"]}


def test_rule_switches(client: Any) -> None:
    data = json.dumps({"text": DRAFT_EN, "metaData": {"customerMessage": COMPLAINT_EN}})

    def rules(**form: str) -> set[str]:
        resp = lt(client, data=data, language="en", **form)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return {m["rule"]["id"] for m in resp.get_json()["matches"]}

    everything = rules()
    assert {"CS_OVER_APOLOGY", "CS_PROMO_CLASH", "CS_CUSTOMER_EFFORT"} <= everything
    # LanguageTool ids and plain check ids both work; ids from other LanguageTool rules are ignored
    assert rules(disabledRules="CS_PROMO_CLASH,customer_effort,EN_QUOTES,WHITESPACE_RULE") == everything - {
        "CS_PROMO_CLASH",
        "CS_CUSTOMER_EFFORT",
    }
    assert rules(enabledRules="CS_OVER_APOLOGY", enabledOnly="true") == {"CS_OVER_APOLOGY"}
    assert rules(enabledCategories="CS_TONE", enabledOnly="true") == {"CS_OVER_APOLOGY", "CS_PROMO_CLASH"}
    assert rules(disabledCategories="CS_TONE") == everything - {"CS_OVER_APOLOGY", "CS_PROMO_CLASH"}
    assert rules(enabledRules="CS_OVER_APOLOGY") == everything  # without enabledOnly it only adds


@pytest.mark.parametrize(
    ("form", "needle"),
    [
        ({"text": "Hi"}, "Missing 'language'"),
        ({"language": "en"}, "Missing 'text' or 'data'"),
        ({"text": "Hi", "data": '{"text": "Hi"}', "language": "en"}, "not both"),
        ({"data": "{nope", "language": "en"}, "Could not parse JSON"),
        ({"data": '{"annotation": [{"text": "a", "markup": "b"}]}', "language": "en"}, "annotation[0]"),
        ({"text": "Hi there", "language": "en", "enabledOnly": "true"}, "enabledOnly"),
        (
            {
                "text": "Hi there",
                "language": "en",
                "enabledOnly": "true",
                "enabledRules": "X",
                "disabledRules": "Y",
            },
            "enabledOnly",
        ),
        ({"text": "Hello there, friend", "language": "fr-FR"}, "not supported"),
        ({"text": "Hi", "language": "en", "preferredVariants": "en-GB"}, "preferredVariants"),
        ({"data": json.dumps({"text": "Hi", "metaData": {"goal": "delight"}}), "language": "en"}, "goal"),
    ],
)
def test_errors_are_languagetool_style_plain_text(client: Any, form: dict[str, str], needle: str) -> None:
    resp = lt(client, **form)
    assert resp.status_code == 400
    assert resp.mimetype == "text/plain"
    text = resp.get_data(as_text=True)
    assert text.startswith("Error: ") and needle in text
    assert "Traceback" not in text


def test_wrong_content_type_and_method(client: Any) -> None:
    assert client.post("/v2/check", json={"text": "Hi", "language": "en"}).status_code == 415
    resp = client.get("/v2/check?text=Hi&language=en")
    assert resp.status_code == 405 and resp.mimetype == "text/plain"


def test_languages(client: Any) -> None:
    langs = client.get("/v2/languages").get_json()
    codes = {entry["code"] for entry in langs}
    assert codes == {"en", "ru", "lv", "ar", "hy"}
    assert {"name", "code", "longCode"} == set(langs[0])
    assert "en-US" in {entry["longCode"] for entry in langs}


def test_auto_detects_the_language(client: Any) -> None:
    body = lt(client, text=ARABIC_DRAFT, language="auto").get_json()
    assert body["language"]["detectedLanguage"]["code"] == "ar"
    assert body["language"]["code"] == "ar"


# ------------------------------------------------------------------------------- the real client


@pytest.fixture(scope="module")
def tool(live_server: Any) -> Any:
    import language_tool_python

    t = language_tool_python.LanguageTool("en-US", remote_server=live_server.url)
    yield t
    t.close()


@pytest.mark.parametrize(
    ("text", "language"), [(EMOJI_DRAFT, "en-US"), (DRAFT_EN, "en-US"), (ARABIC_DRAFT, "ar")]
)
def test_language_tool_python_client_reads_our_findings(tool: Any, text: str, language: str) -> None:
    tool.language = language
    matches = tool.check(text)
    report = wording.check(text, language=language.split("-")[0])
    assert report.findings, "the sample must produce findings"
    assert {m.rule_id for m in matches} == {"CS_" + f.check.upper() for f in report.findings}
    for m in matches:
        # the client turns UTF-16 offsets back into Python (code point) offsets; lengths stay UTF-16
        start = m.offset
        end = cp_end(text, start, m.error_length)
        covered = text[start:end]
        finding = next(
            f
            for f in report.findings
            if "CS_" + f.check.upper() == m.rule_id
            and all(start <= s.start and s.end <= end for s in f.spans)
        )
        for span in finding.spans:
            assert span.text in covered
        assert m.message == finding.message
        assert m.category in ("CS_TONE", "CS_STRUCTURE", "CS_EFFORT")
        if m.replacements:
            fixed = text[:start] + m.replacements[0] + text[end:]
            edits = [e for e in report.rewrite.edits if e.finding == finding.id]
            assert fixed == wording.rewrite.apply(text, edits)


def test_language_tool_python_rule_switches(tool: Any) -> None:
    tool.language = "en-US"
    tool.disabled_rules = {"CS_MISSING_NEXT_STEP"}
    try:
        rules = {m.rule_id for m in tool.check(EMOJI_DRAFT)}
    finally:
        tool.disabled_rules = set()
    assert "CS_MISSING_NEXT_STEP" not in rules and "CS_OVER_APOLOGY" in rules


def test_every_check_has_a_rule_id_and_category() -> None:
    from web.languagetool import _category, rule_id

    ids = {rule_id(c) for c in CheckId}
    assert len(ids) == len(CheckId)
    assert all(_category(c)[0] != "CS_TEAM" for c in CheckId)
    assert rule_id("billing.no-refund promise") == "CS_TEAM_BILLING_NO_REFUND_PROMISE"
