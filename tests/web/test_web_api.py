"""JSON API v1 with Flask's test client: every endpoint, every error, one error shape, no traceback."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from conftest import COMPLAINT_EN, DRAFT_EN

import wording


def error_of(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"}
    err = body["error"]
    assert isinstance(err["message"], str) and err["message"]
    assert "Traceback" not in resp.get_data(as_text=True)
    if code:
        assert err["code"] == code
    return err


# ------------------------------------------------------------------------------------------- check


def test_check_returns_the_report_the_library_returns(client: Any) -> None:
    resp = client.post("/api/v1/check", json={"draft": DRAFT_EN, "context": COMPLAINT_EN})
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"result"}
    report = body["result"]
    expected = wording.check(DRAFT_EN, context=COMPLAINT_EN).to_dict()
    assert report["findings"] == expected["findings"]
    assert report["rewrite"] == expected["rewrite"]
    assert {f["check"] for f in report["findings"]} >= {"over_apology", "promo_clash", "customer_effort"}
    for f in report["findings"]:
        for s in f["spans"]:
            assert DRAFT_EN[s["start"] : s["end"]] == s["text"]


def test_check_offsets_are_code_points_with_emoji(client: Any) -> None:
    draft = "😀😀 So sorry about the delay. We apologize. Sorry again, really sorry!"
    resp = client.post("/api/v1/check", json={"draft": draft, "context": "Where is my parcel? It is late!"})
    report = resp.get_json()["result"]
    spans = [s for f in report["findings"] for s in f["spans"]]
    assert spans
    for s in spans:
        assert draft[s["start"] : s["end"]] == s["text"]


def test_check_options_reach_the_engine(client: Any) -> None:
    base = {"draft": DRAFT_EN, "context": COMPLAINT_EN}
    all_checks = {
        f["check"] for f in client.post("/api/v1/check", json=base).get_json()["result"]["findings"]
    }
    assert "promo_clash" in all_checks
    resp = client.post(
        "/api/v1/check", json={**base, "disabled": ["promo_clash"], "language": "en-US", "goal": "action"}
    )
    report = resp.get_json()["result"]
    assert "promo_clash" not in {f["check"] for f in report["findings"]}
    assert report["goal"] == "action"
    assert report["language"] == {"code": "en", "source": "given", "confidence": 1.0}
    resp = client.post("/api/v1/check", json={"draft": DRAFT_EN, "context_type": "praise"})
    assert resp.get_json()["result"]["context"]["source"] == "given"


def test_check_html_maps_findings_and_rewrite_onto_the_markup(client: Any) -> None:
    html = (
        "<p>Hi Daniel,</p><p>I&#39;m <b>so sorry</b> about this. We apologize for the inconvenience. "
        "Please send us your order number.</p><p>Check out our new <a href='/w'>warranty plans</a>!</p>"
        "<p>Best regards,<br>Marta</p>"
    )
    resp = client.post("/api/v1/check", json={"draft": html, "context": COMPLAINT_EN, "format": "html"})
    assert resp.status_code == 200
    body = resp.get_json()
    markup = body["markup"]
    assert markup["format"] == "html"
    assert "<" not in markup["text"]
    report = body["result"]
    ids = {f["id"] for f in report["findings"]}
    assert {f["id"] for f in markup["findings"]} == ids
    for f in markup["findings"]:
        for s in f["spans"]:
            assert html[s["start"] : s["end"]] == s["text"]
    apology = next(f for f in markup["findings"] if f["id"].startswith("over_apology"))
    assert apology["spans"][0]["text"] == "I&#39;m <b>so sorry</b>"
    new_html = markup["rewrite"]["text"]
    assert new_html.startswith("<p>Hi Daniel,</p>") and new_html.endswith("<p>Best regards,<br>Marta</p>")
    assert "warranty" not in new_html and "<a" not in new_html  # the promo paragraph went, tags and all
    from wording.markup import extract

    assert extract(new_html, "html").text == report["rewrite"]["text"]


def test_check_markdown(client: Any) -> None:
    md = "Hi **Ann**,\n\nWe are *so sorry*. We apologize. Sorry again!\n\n- Use code `SAVE20` for 20% off"
    resp = client.post(
        "/api/v1/check", json={"draft": md, "context": "My order is late!", "format": "markdown"}
    )
    body = resp.get_json()
    assert "**" not in body["markup"]["text"]
    for f in body["markup"]["findings"]:
        for s in f["spans"]:
            assert md[s["start"] : s["end"]] == s["text"]


# ----------------------------------------------------------------------------------------- rewrite


def test_rewrite_applies_chosen_edits(client: Any) -> None:
    report = client.post("/api/v1/check", json={"draft": DRAFT_EN, "context": COMPLAINT_EN}).get_json()[
        "result"
    ]
    edits = report["rewrite"]["edits"]
    resp = client.post("/api/v1/rewrite", json={"draft": DRAFT_EN, "edits": edits})
    assert resp.status_code == 200
    assert resp.get_json()["result"] == {
        "text": report["rewrite"]["text"],
        "plain": report["rewrite"]["text"],
        "applied": len(edits),
    }
    # only the over-apology fix: the second apology goes, nothing else changes
    mine = [e for e in edits if e["check"] == "over_apology"]
    text = client.post("/api/v1/rewrite", json={"draft": DRAFT_EN, "edits": mine}).get_json()["result"][
        "text"
    ]
    assert "We apologize for the inconvenience." not in text
    assert "check out our new extended warranty plans" in text
    assert text == wording.rewrite.apply(DRAFT_EN, [wording.Edit(**e) for e in mine])


def test_rewrite_html_keeps_the_markup(client: Any) -> None:
    html = "<p>Thanks for waiting. Use code <b>SAVE20</b> for 20% off.</p>"
    from wording.markup import extract

    plain = extract(html, "html").text
    start = plain.index("Use")
    resp = client.post(
        "/api/v1/rewrite",
        json={
            "draft": html,
            "format": "html",
            "edits": [{"start": start, "end": len(plain), "replacement": "We fixed it <today>."}],
        },
    )
    result = resp.get_json()["result"]
    assert result["text"] == "<p>Thanks for waiting. We fixed it &lt;today&gt;.</p>"
    assert result["plain"] == "Thanks for waiting. We fixed it <today>."


@pytest.mark.parametrize(
    ("edits", "field"),
    [
        ([{"start": 5, "end": 2, "replacement": ""}], "edits.0.end"),
        ([{"start": 0, "end": 9999, "replacement": ""}], "edits.0.end"),
        ([{"start": 0, "end": 2, "replacement": "", "original": "zz"}], "edits.0.original"),
        ([{"start": 0, "end": 4, "replacement": ""}, {"start": 2, "end": 6, "replacement": ""}], "edits"),
        ([{"start": -1, "end": 2, "replacement": ""}], "edits.0.start"),
        ([{"start": 0, "end": 2}], "edits.0.replacement"),
        ([{"start": 0, "end": 2, "replacement": "", "colour": "red"}], "edits.0.colour"),
    ],
)
def test_rewrite_rejects_bad_edits_naming_the_field(
    client: Any, edits: list[dict[str, Any]], field: str
) -> None:
    resp = client.post("/api/v1/rewrite", json={"draft": "Hello there, thanks.", "edits": edits})
    err = error_of(resp, 400, "invalid_input")
    assert err["field"] == field


# ------------------------------------------------------------------------------------------ health


def test_health_reports_version_engine_and_model(client: Any) -> None:
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    result = resp.get_json()["result"]
    assert result["version"] == wording.__version__
    assert result["status"] == "ok"
    engine = result["engine"]
    report = wording.check("Hello, thanks for writing.", language="en")
    assert engine["name"] == report.engine.name
    assert engine["model_loaded"] is (report.engine.name == "hybrid")
    assert engine["reason"] == report.engine.reason
    assert result["languages"] == ["en", "ru", "lv", "ar", "hy"]
    assert result["standards"] == ["default"]
    assert result["auth"] is False


def test_model_required_but_unavailable_is_503(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, make_client: Any
) -> None:
    # a fresh standards object gets a fresh engine; with the classifier impossible to import and the
    # deployment requiring it, both the check and the health answer 503
    team = tmp_path / "team.yml"
    team.write_text("version: 1\nname: team-503\n", "utf-8")
    monkeypatch.setitem(sys.modules, "wording.classifier", None)
    monkeypatch.setenv("WORDING_ENGINE", "hybrid")
    client = make_client(standards=str(team))
    err = error_of(
        client.post("/api/v1/check", json={"draft": "Sorry. Sorry again."}), 503, "model_unavailable"
    )
    assert "classifier" in err["message"]
    resp = client.get("/api/v1/health")
    assert resp.status_code == 503
    assert resp.get_json()["result"]["status"] == "unavailable"
    assert resp.get_json()["result"]["engine"]["required"] is True


# ------------------------------------------------------------------------------------------ errors


def test_invalid_body_names_the_field(client: Any) -> None:
    err = error_of(
        client.post("/api/v1/check", json={"draft": "Hi", "goal": "delight"}), 400, "invalid_input"
    )
    assert err["field"] == "goal"
    err = error_of(client.post("/api/v1/check", json={"context": "x"}), 400, "invalid_input")
    assert err["field"] == "draft"
    err = error_of(client.post("/api/v1/check", json={"draft": "Hi", "tone": "warm"}), 400)
    assert err["field"] == "tone"
    err = error_of(client.post("/api/v1/check", json={"draft": "Hi", "disabled": ["no_such_check"]}), 400)
    assert err["field"] == "disabled"
    err = error_of(client.post("/api/v1/check", json={"draft": "   "}), 400, "empty_draft")
    assert err["field"] == "draft"
    error_of(client.post("/api/v1/check", json=["draft"]), 400, "invalid_input")
    error_of(
        client.post("/api/v1/check", data="{not json", content_type="application/json"), 400, "invalid_json"
    )


def test_unknown_standards_set_is_400_with_the_field(client: Any) -> None:
    err = error_of(client.post("/api/v1/check", json={"draft": "Hi there", "standards": "billing-team"}), 400)
    assert err["field"] == "standards"
    assert "billing-team" in err["message"]


def test_wrong_content_type_is_415(client: Any) -> None:
    error_of(
        client.post("/api/v1/check", data="draft=Hi", content_type="application/x-www-form-urlencoded"), 415
    )
    error_of(
        client.post("/api/v1/rewrite", data="hello", content_type="text/plain"), 415, "unsupported_media_type"
    )


def test_too_large_is_413(client: Any, make_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    small = make_client(max_request_bytes=2048)
    error_of(small.post("/api/v1/check", json={"draft": "x" * 5000}), 413, "request_too_large")
    monkeypatch.setenv("WORDING_MAX_CHARS", "50")
    err = error_of(
        client.post("/api/v1/check", json={"draft": "Thanks for waiting. " * 5}), 413, "text_too_long"
    )
    assert err["field"] == "draft"


def test_unsupported_language_is_422(client: Any) -> None:
    err = error_of(client.post("/api/v1/check", json={"draft": "Hello there", "language": "fr"}), 422)
    assert err["code"] == "unsupported_language" and err["field"] == "language"
    german = (
        "Es tut uns sehr leid, dass Ihre Bestellung noch nicht angekommen ist. Wir kümmern uns sofort darum."
    )
    error_of(client.post("/api/v1/check", json={"draft": german}), 422, "unsupported_language")


def test_unknown_path_and_method(client: Any) -> None:
    error_of(client.get("/api/v1/nothing-here"), 404, "not_found")
    err = error_of(client.get("/api/v1/check"), 405, "method_not_allowed")
    assert err["message"]


def test_unexpected_failure_is_a_generic_500_without_details(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "customer-card-4111"

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"broke on {secret}")

    monkeypatch.setattr(wording, "check", boom)
    resp = client.post("/api/v1/check", json={"draft": f"Hi {secret}"})
    err = error_of(resp, 500, "internal_error")
    assert secret not in resp.get_data(as_text=True)
    assert "RuntimeError" not in err["message"]


def test_responses_are_utf8_json_not_escaped(client: Any) -> None:
    resp = client.post(
        "/api/v1/check", json={"draft": "نعتذر جداً عن التأخير. نعتذر مرة أخرى.", "language": "ar"}
    )
    assert resp.status_code == 200
    raw = resp.get_data(as_text=True)
    assert "نعتذر" in raw
    json.loads(raw)
