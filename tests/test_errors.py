"""Bad input gets a clear, typed error and nothing is lost; odd but valid input just works."""

from __future__ import annotations

import pytest

import wording
from wording.errors import EmptyDraft, InputError, InvalidEncoding, TextTooLong, UnsupportedLanguage


@pytest.mark.parametrize("draft", ["", "   \n\t "])
def test_empty_draft(draft):
    with pytest.raises(EmptyDraft, match="empty"):
        wording.check(draft)


def test_too_long_draft_names_the_limit(monkeypatch):
    with pytest.raises(TextTooLong, match="20,000"):
        wording.check("Sorry. " * 3000)
    monkeypatch.setenv("WORDING_MAX_CHARS", "50")
    with pytest.raises(TextTooLong, match="limit is 50"):
        wording.check("We are sorry for the delay, your refund is on its way now.")


def test_invalid_utf8_bytes():
    with pytest.raises(InvalidEncoding, match="UTF-8"):
        wording.check(b"Sorry \xff\xfe for that")
    assert wording.check("Sorry for that.".encode()).length == len("Sorry for that.")


def test_unsupported_language_is_refused_not_guessed():
    with pytest.raises(UnsupportedLanguage, match="German"):
        wording.check("Vielen Dank für Ihre Geduld, wir melden uns so schnell wie möglich bei Ihnen.")
    with pytest.raises(UnsupportedLanguage):
        wording.check("Sorry for the delay.", language="de")
    with pytest.raises(UnsupportedLanguage):
        wording.check("🙏🙏🙏 !!!")  # nothing to detect a language from


def test_wrong_types_and_values():
    with pytest.raises(InputError):
        wording.check(42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="goal"):
        wording.check("Sorry.", goal="speed")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown check"):
        wording.check("Sorry.", disabled=["no_such_check"])


@pytest.mark.parametrize(
    "draft",
    [
        "<p>Hi Anna,</p><p>Sorry!! So sorry. We apologize.</p>",
        "Sorry 😔😔 we're so sorry 🙏🏽 — we apologize!!! 👨‍👩‍👧",
        "Sorry about order #Ж-123 — мы извиняемся, sorry again. نعتذر",
        "\u200fنعتذر عن التأخير\u200f. نعتذر مرة أخرى. آسفون جدا.",
        "Sorry\r\n\r\nSorry again\u2028We apologize",
    ],
)
def test_offsets_point_at_the_exact_input(draft):
    report = wording.check(draft, language=None if "<p>" not in draft else "en")
    for s in report.sentences:
        assert draft[s.start : s.end] == s.text
    for f in report.findings:
        for span in f.spans:
            assert draft[span.start : span.end] == span.text


def test_disabled_checks_are_not_run():
    report = wording.check("Sorry! Sorry! Sorry!", context="Broken!", disabled=["over_apology"])
    assert "over_apology" not in {f.check for f in report.findings}


def test_required_model_that_cannot_load_is_a_503_not_a_silent_downgrade(monkeypatch):
    from wording import pipeline
    from wording.errors import ModelUnavailable
    from wording.lexicon import LexiconScorer

    std = wording.default_standards()
    monkeypatch.setitem(pipeline._scorers, id(std), pipeline._Explained(LexiconScorer(std), "weights missing"))
    monkeypatch.setenv("WORDING_ENGINE", "hybrid")
    with pytest.raises(ModelUnavailable, match="weights missing") as exc:
        wording.check("Sorry for the delay.", language="en")
    assert exc.value.http_status == 503
    monkeypatch.delenv("WORDING_ENGINE")
    report = wording.check("Sorry for the delay.", language="en")
    assert report.engine.name == "lexicon" and report.engine.reason == "weights missing"
