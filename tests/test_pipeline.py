"""What an agent notices: findings, spans, explanations and the rewrite, on realistic drafts."""

from __future__ import annotations

import json

import pytest

import wording
from wording import rewrite as rewrite_mod
from wording.types import Report

COMPLAINT = "My order #A-88123 still hasn't arrived and nobody answers my emails!"


def checks(report: Report) -> set[str]:
    return {f.check for f in report.findings}


def test_stacked_apologies_are_counted_as_expressions_and_reduced_to_one():
    draft = "Hi Anna,\nI'm so sorry for the delay. We apologize for the inconvenience. Sorry again!\nBest regards,\nJohn"
    report = wording.check(draft, context=COMPLAINT)
    finding = next(f for f in report.findings if f.check == "over_apology")
    assert [s.text for s in finding.spans] == ["I'm so sorry", "apologize", "Sorry"]
    assert all(draft[s.start : s.end] == s.text for s in finding.spans)
    text = report.rewrite.text
    assert "I'm so sorry for the delay." in text  # the specific apology is kept
    assert "inconvenience" not in text and "Sorry again" not in text
    assert text.startswith("Hi Anna,\n") and text.endswith("Best regards,\nJohn")
    assert report.rewrite.placeholders, "an apology with no action gets an action placeholder"
    for p in report.rewrite.placeholders:
        assert text[p.start : p.end] == p.text and p.text.startswith("[")


def test_one_apology_with_real_action_is_fine():
    draft = "Sorry about the late parcel, Tom. I've rebooked the courier for tomorrow morning and you'll get a text by 9am."
    report = wording.check(draft, context="My parcel is late again!!")
    assert "over_apology" not in checks(report)
    assert report.rewrite.text == draft and not report.rewrite.changed


def test_no_need_to_apologize_is_not_an_apology():
    report = wording.check("No need to apologize, Maria! Your new card is on its way and should arrive by Friday.",
                           context="Sorry to bother you, when will my card arrive?")
    assert not any(c.role == "apology" for s in report.sentences for c in s.cues)
    assert checks(report) == set()


def test_bad_news_moves_before_good_news_and_connective_is_fixed():
    draft = ("Hi Sam,\nGood news: your refund of $40 has been approved. However, the $5.99 shipping fee is non-refundable.\n"
             "Kind regards,\nLee")
    report = wording.check(draft, context="The kettle arrived broken, I want my money back.")
    assert "news_order" in checks(report)
    text = report.rewrite.text
    assert text.index("The $5.99 shipping fee is non-refundable.") < text.index("Good news")
    assert "However" not in text
    assert text.startswith("Hi Sam,") and text.rstrip().endswith("Lee")
    assert "$40" in text and "$5.99" in text


def test_goal_action_wants_good_news_first():
    draft = "Unfortunately your card was declined. Good news: you can pay by bank transfer today."
    assert "news_order" not in checks(wording.check(draft, context="Why was my payment refused?"))
    report = wording.check(draft, context="Why was my payment refused?", goal="action")
    assert "news_order" in checks(report)
    assert report.rewrite.text.index("Good news") < report.rewrite.text.index("declined")


def test_promotion_clashes_with_a_complaint_but_not_with_an_inquiry():
    draft = "Sorry the kettle arrived broken. A replacement ships today. Use code SAVE20 for 20% off your next order!"
    report = wording.check(draft, context="The kettle arrived broken!")
    assert "promo_clash" in checks(report)
    assert "SAVE20" not in report.rewrite.text
    assert any(f.text == "SAVE20" for f in report.rewrite.facts_removed)
    inquiry = wording.check("Yes! Use code SAVE20 for 20% off your next order.", context="Do you have any discount codes?")
    assert "promo_clash" not in checks(inquiry)


def test_we_cannot_offer_a_refund_is_bad_news_not_promotion():
    report = wording.check("We're unable to offer a refund for used items.", context="I want a refund for these shoes, they hurt!")
    assert "promo_clash" not in checks(report)
    assert any("bad_news" in s.labels for s in report.sentences)


def test_asking_again_for_an_order_number_already_given_is_effort():
    draft = "Thanks for getting in touch. Please send us your order number so we can look into it."
    report = wording.check(draft, context="Order #A-99812 was charged twice!")
    assert "customer_effort" in checks(report)
    assert "#A-99812" in report.rewrite.text
    first_time = wording.check(draft, context="I was charged twice for my order!")
    assert "customer_effort" not in checks(first_time)


def test_redirect_to_another_department_becomes_ownership():
    draft = "I understand how annoying this is. Please contact our billing department on 0800 123 4567."
    report = wording.check(draft, context="You charged me twice this month.")
    finding = next(f for f in report.findings if f.check == "customer_effort")
    assert "billing department" in finding.spans[0].text
    assert "I have passed this to [the team that handles it]" in report.rewrite.text
    assert any(p.text == "[when]" for p in report.rewrite.placeholders)


def test_missing_acknowledgement_and_next_step_on_a_complaint():
    report = wording.check("Our records show the courier scanned the parcel at your door.", context="My parcel never arrived!!")
    assert {"missing_acknowledgement", "missing_next_step"} <= checks(report)
    severities = {f.check: f.severity for f in report.findings}
    assert severities["missing_next_step"] == "suggestion"


def test_clean_draft_comes_back_unchanged():
    draft = "Hi Priya,\nThanks for the kind words about our driver! I've passed them on to him.\nHave a great day,\nOmar"
    report = wording.check(draft, context="Your driver was so helpful today, thank you!")
    assert report.findings == []
    assert report.rewrite.text == draft and report.rewrite.edits == []


def test_rewrite_fixes_what_it_claims():
    draft = "Sorry. So sorry. We apologize. Check out our new Premium plan!"
    report = wording.check(draft, context="My internet has been down for 3 days!")
    again = wording.check(report.rewrite.text, context="My internet has been down for 3 days!")
    fixed = {f.check for f in report.findings if f.fixable and f.id not in report.rewrite.unresolved}
    assert fixed and not (fixed & checks(again))


def test_edits_reproduce_the_rewrite_and_facts_survive():
    draft = ("Hello,\nGreat news, your booking BK-20231 on 12/03/2025 is confirmed. Unfortunately, the 10:30 flight "
             "is full.\nCall our reservations team on +1 800 222 2377 or email help@example.com. https://example.com/b")
    report = wording.check(draft, context="My flight got cancelled, what now?")
    assert rewrite_mod.apply(draft, report.rewrite.edits) == report.rewrite.text
    for fact in report.rewrite.facts_kept:
        assert fact.text in report.rewrite.text
    for edit in report.rewrite.edits:
        assert draft[edit.start : edit.end] == edit.original


def test_context_inferred_from_the_draft_says_so():
    report = wording.check("We're so sorry. We apologize again for this.")
    assert report.context.source == "draft"
    assert "inferred" in report.context.note
    given = wording.check("We're so sorry.", context_type="inquiry")
    assert given.context.source == "given" and given.context.type == "inquiry"


def test_report_is_frozen_json_with_schema_version():
    report = wording.check("Sorry! Sorry!", context="It broke.")
    data = json.loads(report.to_json())
    assert data["schema_version"] == "1"
    assert Report.model_validate(data) == report
    with pytest.raises(Exception):
        report.goal = "action"  # type: ignore[misc]


@pytest.mark.parametrize(
    "draft,lang",
    [
        ("Приносим извинения за задержку. Мы уже отправили вам новый заказ.", "ru"),
        ("Atvainojamies par kavēšanos. Mēs jau esam nosūtījuši jaunu pasūtījumu.", "lv"),
        ("نعتذر عن التأخير. لقد أرسلنا لك طلبا جديدا.", "ar"),
        ("Ներողություն ենք խնդրում ուշացման համար։ Մենք արդեն ուղարկել ենք նոր պատվեր։", "hy"),
        ("We apologize for the delay. We have already sent you a new order.", "en"),
    ],
)
def test_language_is_detected_and_messages_follow_it(draft, lang):
    report = wording.check(draft)
    assert report.language.code == lang and report.language.source == "detected"
    for f in report.findings:
        assert f.language in (lang, "en")


def test_explanations_come_in_the_drafts_language_when_the_pack_has_them():
    report = wording.check("Atvainojiet. Atvainojiet vēlreiz. Mums ļoti žēl.", context="Pasūtījums nav atnācis!", language="lv")
    pack = wording.default_standards().pack("lv")
    for f in report.findings:
        if f.check in pack.messages:
            assert f.language == "lv" and f.message == pack.messages[f.check].message
