"""Playwright (Python) driving Debian's Chromium against Django's live test server.

Chromium comes from apt (scripts/browser.sh), never from ``playwright install``; axe-core
comes from npm (package.json here) and is injected into the page from the local file, and
so does jsQR, which reads a QR image as a phone's camera would (``qr_decoded``).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long an action (a click and the page it brings) and an expectation may wait. A loaded
# CI machine (2 cores shared with other work, load 7-15) took over 15 s to answer the count's
# POST (test_flows, 2 runs of 7); expect()'s own default is 5 s. Longer waits fail nothing
# that would pass: they only let a slow server answer before the test reads the page.
ACTION_TIMEOUT_MS = 60_000
EXPECT_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
JSQR = HERE / "node_modules" / "jsqr" / "dist" / "jsQR.js"
SHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium: scripts/browser.sh"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def csp_refusals(page: Page) -> list[str]:
    """What the page's Content Security Policy refused, as Chromium reports it on the
    console (kept until the page's context closes)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    refused = csp_refusals(page)
    yield page
    context.close()
    assert refused == []


def submit(page: Page, button: str | Locator) -> None:
    """Press a form's button (by its name, or a located one) and wait for the page the server
    answers with to load. A click waits only until that page's response arrives: a check that
    does not wait by itself (an evaluate, axe, a screenshot, page.url, the mail sent, the
    database) could meet the old page, or the new one before it is parsed, and a goto could
    cancel the submission."""
    control = page.get_by_role("button", name=button) if isinstance(button, str) else button
    with page.expect_navigation():
        control.click()


def follow(link: Locator) -> None:
    """Follow a link and wait for the page it opens to load (its deferred scripts have run
    by then, so a form the script takes over is the script's)."""
    with link.page.expect_navigation():
        link.click()


def screenshot(page: Page, name: str) -> None:
    page.wait_for_load_state()  # the whole page, not the part parsed so far
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations on the current page."""
    assert AXE.exists(), "run `npm ci` in tests/e2e (scripts/browser.sh does)"
    # The whole page: axe on a page still being parsed checks part of it, or no document.
    page.wait_for_load_state()
    # Evaluated through the browser's DevTools, as a console would, so the page's Content
    # Security Policy (no inline script) does not refuse it as it would a script tag.
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def qr_decoded(image: Locator) -> str | None:
    """The text of the QR image as the page shows it (a screenshot of the element, read by
    jsQR in a blank page of the same browser, whose own policy refuses no data: image), or
    None if it cannot be read."""
    assert JSQR.exists(), "run `npm ci` in tests/e2e (scripts/browser.sh does)"
    png = base64.b64encode(image.screenshot()).decode()
    reader = image.page.context.new_page()
    try:
        reader.evaluate(JSQR.read_text())
        found: str | None = reader.evaluate(
            """async (png) => {
                const image = new Image();
                image.src = "data:image/png;base64," + png;
                await image.decode();
                const canvas = document.createElement("canvas");
                canvas.width = image.width;
                canvas.height = image.height;
                const drawing = canvas.getContext("2d");
                drawing.drawImage(image, 0, 0);
                const pixels = drawing.getImageData(0, 0, image.width, image.height);
                const code = jsQR(pixels.data, image.width, image.height);
                return code === null ? null : code.data;
            }""",
            png,
        )
    finally:
        reader.close()
    return found
