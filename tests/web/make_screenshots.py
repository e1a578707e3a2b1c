"""Regenerate docs/screenshot-en.png and docs/screenshot-ar.png from the running page.

    .venv/bin/python tests/web/make_screenshots.py

Starts the app on a free loopback port, loads the page's own English and Arabic examples in headless
Chromium, opens the first finding and saves a 1280 px wide screenshot of each.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, LiveServer  # noqa: E402

from web import create_app  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    app = create_app({"TESTING": True})
    with LiveServer(app) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in ("en", "ar"):
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.goto(server.url + "/")
            page.click(f'[data-example="{lang}"]')
            page.wait_for_function(
                "() => document.getElementById('findings-panel').getAttribute('aria-busy') === 'false' && "
                "document.getElementById('status').textContent.includes('checked in')", timeout=60_000
            )
            page.locator("#findings .finding-head").first.click()
            page.evaluate("document.activeElement.blur()")
            page.wait_for_timeout(300)
            out = ROOT / "docs" / f"screenshot-{lang}.png"
            page.screenshot(path=str(out), full_page=True)
            print(out)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
