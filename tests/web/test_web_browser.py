"""The agents' page in a real browser: Debian's Chromium, headless, driven by Playwright, against a live
server. What an agent does: paste a complaint and a draft, see the highlights, open an explanation,
apply one fix, apply all, copy the rewrite; the same in Arabic, right to left; by keyboard alone; on a
360 px screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import COMPLAINT_EN, DRAFT_EN

import wording

pytestmark = pytest.mark.browser

ARABIC_COMPLAINT = "وصلتني الغسالة الجديدة وبابها مكسور. رقم الطلب WM-20931. لم يتصل بي أحد منذ أسبوع!"
ARABIC_DRAFT = (
    "مرحباً دانيال،\nنحن آسفون جداً لما حدث. نعتذر عن الإزعاج. نأسف مرة أخرى على هذه التجربة.\n"
    "يرجى إرسال رقم طلبك والاتصال بقسم الخدمات اللوجستية لحجز الزيارة.\n"
    "لا تفوّت عروضنا الجديدة على الضمان الممتد!\n"
    "مع أطيب التحيات،\nمارتا"
)
TIMEOUT = 30_000


@pytest.fixture()
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        base_url=live_server.url,
    )
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield pg
    context.close()
    assert not errors, errors


def wait_checked(pg: Any, draft: str) -> None:
    """Wait until the findings describe exactly the draft in the editor (the panel is not busy)."""
    pg.wait_for_function(
        "draft => document.getElementById('draft').value === draft && "
        "document.getElementById('findings-panel').getAttribute('aria-busy') === 'false' && "
        "document.getElementById('status').textContent.includes('checked in')",
        arg=draft,
    )


def marked_texts(pg: Any) -> set[str]:
    return set(pg.eval_on_selector_all("#highlights mark.hl[data-ids]", "ms => ms.map(m => m.textContent)"))


def test_agent_checks_fixes_and_copies_an_english_reply(page: Any) -> None:
    pg = page
    pg.goto("/")
    pg.fill("#context", COMPLAINT_EN)
    pg.fill("#draft", DRAFT_EN)
    wait_checked(pg, DRAFT_EN)
    report = wording.check(DRAFT_EN, context=COMPLAINT_EN)

    # highlights: every span of every finding, coloured by its check
    spans = {s.text for f in report.findings for s in f.spans}
    texts = marked_texts(pg)
    assert {"I'm so sorry", "apologize", "check out our new"} <= texts
    assert all(any(t in s for s in spans) for t in texts)
    checks = {f.check for f in report.findings}
    assert {"over_apology", "promo_clash"} <= checks and len(checks) >= 3
    for check in checks:
        assert pg.locator(f"#highlights mark.c-{check}").count() > 0
        assert pg.locator(f"#findings li.c-{check}").count() == 1
    colour = pg.eval_on_selector("#highlights mark.c-promo_clash", "m => getComputedStyle(m).backgroundColor")
    other = pg.eval_on_selector("#highlights mark.c-over_apology", "m => getComputedStyle(m).backgroundColor")
    assert colour != other
    assert pg.inner_text("#lang").startswith("Detected: English")

    # open an explanation: its text and research source appear
    item = pg.locator("#findings li.c-over_apology")
    item.locator(".finding-head").click()
    body = item.locator(".finding-body")
    assert body.is_visible()
    finding = next(f for f in report.findings if f.check == "over_apology")
    assert finding.explanation[:40] in body.inner_text()
    link = body.locator(".source a")
    assert link.get_attribute("href") == finding.source.url
    assert item.locator(".finding-head").get_attribute("aria-expanded") == "true"

    # putting the cursor inside a highlight opens that finding
    promo = DRAFT_EN.index("check out our new") + 3
    pg.focus("#draft")
    pg.evaluate("pos => document.getElementById('draft').setSelectionRange(pos, pos)", promo)
    pg.keyboard.press("ArrowRight")
    pg.wait_for_function(
        "() => document.querySelector('#findings li.c-promo_clash').classList.contains('open')"
    )

    # the rewrite with its diff and highlighted placeholders; copy it
    assert pg.locator("#rewrite del").count() > 0 and pg.locator("#rewrite ins").count() > 0
    placeholders = pg.eval_on_selector_all("#rewrite mark.ph", "ms => ms.map(m => m.textContent)")
    assert placeholders == [p.text for p in report.rewrite.placeholders]
    assert pg.locator("#placeholder-note").is_visible()
    pg.click("#copy")
    pg.wait_for_function("() => document.getElementById('status').textContent.includes('Copied')")
    assert pg.evaluate("navigator.clipboard.readText()") == report.rewrite.text
    pg.click('.toggle-btn[data-view="clean"]')
    assert (
        pg.inner_text("#rewrite") == report.rewrite.text.rstrip("\n")
        or pg.inner_text("#rewrite") == report.rewrite.text
    )

    # apply one finding's fix: only its edits land in the draft
    pg.locator("#findings li.c-over_apology .finding-head").click()
    pg.locator("#findings li.c-over_apology .apply-one").click()
    one = wording.rewrite.apply(DRAFT_EN, [e for e in report.rewrite.edits if e.check == "over_apology"])
    wait_checked(pg, one)
    assert "We apologize for the inconvenience." not in pg.input_value("#draft")
    assert pg.locator("#findings li.c-over_apology").count() == 0

    # apply all: the draft becomes the suggested reply
    again = wording.check(one, context=COMPLAINT_EN)
    pg.click("#apply-all")
    wait_checked(pg, again.rewrite.text)
    assert pg.input_value("#draft") == again.rewrite.text
    # the placeholders the agent must fill are highlighted in the editor too
    in_text = re.findall(r"\[[^\[\]\n]{1,120}\]", again.rewrite.text)  # earlier fixes' ones too
    assert len(in_text) >= len(again.rewrite.placeholders) > 0
    marks = pg.eval_on_selector_all("#highlights mark.ph-mark", "ms => ms.map(m => m.textContent)")
    assert marks == in_text
    # undo brings the previous draft back
    pg.click("#undo")
    wait_checked(pg, one)


def test_arabic_reply_is_right_to_left(page: Any) -> None:
    pg = page
    pg.goto("/")
    pg.fill("#context", ARABIC_COMPLAINT)
    pg.fill("#draft", ARABIC_DRAFT)
    wait_checked(pg, ARABIC_DRAFT)
    report = wording.check(ARABIC_DRAFT, context=ARABIC_COMPLAINT)
    assert report.language.code == "ar" and report.findings
    assert pg.inner_text("#lang").startswith("Detected: Arabic")
    for sel in ("#draft", "#backdrop", "#rewrite"):
        assert pg.eval_on_selector(sel, "e => getComputedStyle(e).direction") == "rtl", sel
        assert pg.get_attribute(sel, "lang") == "ar"
    # highlights line up with the spans even in right-to-left text
    spans = {s.text for f in report.findings for s in f.spans}
    texts = marked_texts(pg)
    assert texts and all(any(t in s for s in spans) for t in texts)
    # the draft's right edge is where right-to-left text starts
    box = pg.locator("#draft").bounding_box()
    mark = pg.locator("#highlights mark.hl").first.bounding_box()
    assert mark["x"] + mark["width"] > box["x"] + box["width"] / 2
    # the explanation is in Arabic
    pg.locator("#findings .finding-head").first.click()
    explanation = pg.locator("#findings .finding.open .explanation")
    assert explanation.get_attribute("lang") == "ar"
    assert any("\u0600" <= ch <= "\u06ff" for ch in explanation.inner_text())
    pg.click("#copy")
    pg.wait_for_function("() => document.getElementById('status').textContent.includes('Copied')")
    assert pg.evaluate("navigator.clipboard.readText()") == report.rewrite.text
    pg.click("#apply-all")
    wait_checked(pg, report.rewrite.text)
    assert pg.input_value("#draft") == report.rewrite.text


def test_emoji_do_not_shift_highlights(page: Any) -> None:
    pg = page
    pg.goto("/")
    draft = (
        "🙏🙏 Hi Anna 👋, we are so sorry 😔 about the delay. "
        "We apologize for the inconvenience. Sorry again!"
    )
    pg.fill("#context", "My parcel is two weeks late!")
    pg.fill("#draft", draft)
    wait_checked(pg, draft)
    report = wording.check(draft, context="My parcel is two weeks late!")
    expected = {s.text for f in report.findings if f.check == "over_apology" for s in f.spans}
    got = set(pg.eval_on_selector_all("#highlights mark.c-over_apology", "ms => ms.map(m => m.textContent)"))
    assert "we are so sorry" in expected
    assert expected <= got  # each span highlighted exactly, after two emoji (four UTF-16 units)


def test_keyboard_only(page: Any) -> None:
    pg = page
    pg.goto("/")
    # every control has a label a screen reader announces
    unlabeled = pg.evaluate(
        """() => Array.from(document.querySelectorAll('textarea, select, input, button'))
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                          && !e.textContent.trim() && e.type !== 'hidden')
             .map(e => e.outerHTML)"""
    )
    assert unlabeled == []
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip-link"
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.id") == "draft"
    draft = "We are so sorry. We apologize for the delay. Sorry again, so sorry!"
    pg.keyboard.type(draft)
    wait_checked(pg, draft)
    # Tab through the page until a finding has focus: focusing it opens its explanation
    for _ in range(30):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.classList.contains('finding-head')"):
            break
    else:
        pytest.fail("no finding reachable with Tab")
    assert pg.evaluate("document.activeElement.getAttribute('aria-expanded')") == "true"
    focused = pg.evaluate("document.activeElement.getAttribute('data-id')")
    assert pg.locator(f'#findings li[data-id="{focused}"] .finding-body').is_visible()
    assert pg.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus ring
    # its fix is the next stop, and Enter applies it
    assert focused.startswith("over_apology")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.classList.contains('apply-one')")
    before = pg.input_value("#draft")
    pg.keyboard.press("Enter")
    pg.wait_for_function("before => document.getElementById('draft').value !== before", arg=before)
    assert pg.evaluate("document.activeElement.id") == "findings-title"  # focus is not lost


def test_usable_at_360_px(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    try:
        pg.goto("/")
        pg.fill("#context", COMPLAINT_EN)
        pg.fill("#draft", DRAFT_EN)
        wait_checked(pg, DRAFT_EN)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
        for sel in ("#draft", "#context", "#apply-all", "#copy", "#findings .finding-head"):
            box = pg.locator(sel).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, sel
        # one column: the findings come below the editor
        assert pg.locator("#findings-panel").bounding_box()["y"] > pg.locator("#draft").bounding_box()["y"]
        pg.locator("#findings .finding-head").first.click()
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_everything_is_served_locally(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url)
    pg = context.new_page()
    requested: list[str] = []
    pg.on("request", lambda req: requested.append(req.url))
    try:
        resp = pg.goto("/")
        assert "default-src 'self'" in resp.headers["content-security-policy"]
        pg.fill("#draft", "We are so sorry. We apologize.")
        wait_checked(pg, "We are so sorry. We apologize.")
    finally:
        context.close()
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested
