"""Acceptance: moderation in Chromium, with axe-core on every page and each fitting a
phone's 375 px. A member flags a post on rule 3; a moderator hides it with that rule from
the queue; its place in the thread says so; its author reads the decision and appeals."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.discussion.models import Appeal, Post
from omov.web.discussion.services import post_create, thread_start
from omov.web.members.models import Member
from tests.web.local_helpers import make_motion
from tests.web.members_helpers import make_member, make_organisation_with_units, sign_in_member

from .conftest import ACTION_TIMEOUT_MS, axe_violations, csp_refusals, follow, screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _checked(page: Page, name: str) -> None:
    assert axe_violations(page) == []
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 667})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if size is not None:
        page.set_viewport_size(size)
    screenshot(page, name)


def _member_page(browser: Browser, base: str, member: Member) -> Page:
    client = Client()
    sign_in_member(client, member)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    csp_refusals(page)
    return page


def test_a_member_flags_a_moderator_hides_and_the_author_appeals(
    live_server: object, browser: Browser
) -> None:
    base = str(live_server)
    organisation = make_organisation_with_units()
    reader = make_member(organisation, display_name="Reader R.")
    author = make_member(organisation, display_name="Author A.")
    thread = thread_start(
        member=reader,
        kind="motion",
        target_id=make_motion(organisation).pk,
        title="The emergency motion",
        text="Discuss.",
    )
    rude = post_create(member=author, thread=thread, text="You are an **idiot**.")

    flagger = _member_page(browser, base, reader)
    flagger.goto(f"{base}/discussion/thread/{thread.pk}/")
    _checked(flagger, "discussion-01-thread")
    follow(flagger.locator(f"#post-{rude.number}").get_by_role("link", name="Flag for a moderator"))
    flagger.get_by_label("Rule").select_option("abuse")
    _checked(flagger, "discussion-02-flag")
    submit(flagger, "Flag it")
    expect(flagger.get_by_role("status")).to_contain_text("a moderator will look at the post")

    user = get_user_model().objects.create_user("mod", password="a long officer password")
    membership_grant(user=user, organisation=organisation, roles=[Role.MODERATOR])
    moderator = browser.new_context().new_page()
    moderator.goto(f"{base}/officer/{organisation.pk}/moderation/")
    moderator.get_by_label("Username").fill("mod")
    moderator.get_by_label("Password").fill("a long officer password")
    submit(moderator, "Sign in")
    queued = moderator.locator(f"#queued-{rude.pk}")
    expect(queued).to_contain_text("flagged: abuse (1)")
    queued.get_by_text("Hide the post").first.click()  # opens the details
    queued.locator(f"#hide-{rude.pk}-ground").select_option("abuse")
    _checked(moderator, "discussion-03-queue")
    submit(moderator, queued.get_by_role("button", name="Hide the post"))
    expect(moderator.get_by_role("status")).to_contain_text("The post is hidden")

    flagger.goto(f"{base}/discussion/thread/{thread.pk}/")
    expect(flagger.locator(f"#post-{rude.number}")).to_have_text(
        "Hidden by a moderator: rule 3, personal abuse."
    )
    expect(flagger.locator(".post-text")).not_to_contain_text(["idiot"])

    writer = _member_page(browser, base, author)
    writer.goto(f"{base}/discussion/mine/")
    expect(writer.get_by_role("main")).to_contain_text("Post hidden: rule 3, personal abuse")
    writer.get_by_label("Why the decision is wrong").fill("It was said in jest, to a friend.")
    _checked(writer, "discussion-04-mine")
    submit(writer, "Appeal")
    expect(writer.get_by_role("status")).to_contain_text(
        "Your appeal has gone to the appeals panel"
    )
    assert Appeal.objects.get().grounds == "It was said in jest, to a friend."
    assert Post.objects.get(pk=rude.pk).state == "hidden"
    for page in (flagger, moderator, writer):
        page.context.close()
