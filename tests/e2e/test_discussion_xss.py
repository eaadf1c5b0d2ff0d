"""Sanitised Markdown in a real browser: every payload of the unit suite
(tests/web/test_discussion_markup.py) is posted in a thread and the thread is opened in
Chromium as a member reads it. No dialog opens, no script element or event handler reaches
the posts, no link has a javascript: (or any but http, https, mailto) address, nothing is
framed or embedded, and the page's Content Security Policy has nothing to refuse (the page
fixture checks that: a payload that got through would be refused there, and fail it)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from omov.web.discussion.models import Post
from omov.web.discussion.services import post_create, thread_start
from tests.web.local_helpers import make_motion
from tests.web.members_helpers import make_member, make_organisation_with_units, sign_in_member
from tests.web.test_discussion_markup import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUND = """() => {
  const posts = [...document.querySelectorAll('.post-text')];
  const inside = (selector) => posts.flatMap((p) => [...p.querySelectorAll(selector)]);
  const handler = (e) => [...e.attributes].some((a) => a.name.startsWith('on'));
  const handlers = inside('*').filter(handler);
  const hrefs = inside('[href], [src], [action], [formaction], [xlink\\\\:href]').map(
    (e) => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || ''
  );
  return {
    posts: posts.length,
    scripts: document.querySelectorAll('script').length,
    handlers: handlers.length,
    embedded: inside('iframe, img, svg, math, object, embed, form, details, style').length,
    hrefs,
    pwned: window.pwned === true,
  };
}"""


def test_no_payload_runs_in_chromium(page: Page, live_server: object) -> None:
    organisation = make_organisation_with_units()
    reader = make_member(organisation)
    thread = thread_start(
        member=reader,
        kind="motion",
        target_id=make_motion(organisation).pk,
        title="Payloads",
        text="Opening",
    )
    for payload in PAYLOADS:  # one member each: the posting limit is per member
        post_create(member=make_member(organisation), thread=thread, text=payload)
    client = Client()
    sign_in_member(client, reader)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    base = str(live_server)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/discussion/thread/{thread.pk}/")
    for link in page.locator(".post-text a").all():
        link.hover()  # an onmouseover that survived would fire here
    found = page.evaluate(FOUND)
    assert found["posts"] == Post.objects.filter(thread=thread).count() == len(PAYLOADS) + 1
    assert dialogs == []
    assert not found["pwned"]
    assert found["scripts"] == 0
    assert found["handlers"] == 0
    assert found["embedded"] == 0
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in found["hrefs"])
    assert page.locator("a[href^='javascript' i]").count() == 0
    # The payloads show as the text that was typed, not as nothing at all.
    assert "<script>alert(1)</script>" in page.locator(".post-text").nth(1).inner_text()
