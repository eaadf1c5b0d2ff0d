"""Members' discussion and its moderation, by the seeds' cases (issue 23): a ban that
follows the person, held posts, appeals, the published figures; and the rules around them
(a second moderator, the posting limits, members only, privacy and erasure)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omov.web.access.models import Role
from omov.web.access.services import membership_grant
from omov.web.audit.models import AuditEvent
from omov.web.contests.models import Contest, Organisation, Rulebook
from omov.web.contests.services import candidate_add, contest_open, rulebook_load
from omov.web.discussion.appeals import (
    appeal_decide,
    appeal_lodge,
    registrations_screen,
    review_decide,
)
from omov.web.discussion.models import (
    Moderation,
    ModerationState,
    Post,
    PostState,
    Review,
    ReviewState,
)
from omov.web.discussion.moderation import (
    member_hold,
    post_hide,
    post_release,
    suspension_confirm,
    suspension_propose,
)
from omov.web.discussion.rulings import restriction, stream
from omov.web.discussion.selectors import figures, search, thread_page
from omov.web.discussion.services import (
    declaration_make,
    flag_record,
    member_posts_erase,
    member_posts_export,
    post_create,
    thread_start,
)
from omov.web.errors import ContestError
from omov.web.members.models import Member
from omov.web.members.services import import_roll
from omov.web.petitions.models import Petition, PetitionState

from .local_helpers import make_motion
from .members_helpers import make_member, make_organisation_with_units, sign_in_member

pytestmark = pytest.mark.django_db


def officer(organisation: Organisation, name: str, *roles: Role) -> User:
    user = get_user_model().objects.create_user(name)  # signs in by force_login
    membership_grant(user=user, organisation=organisation, roles=list(roles))
    return user


class Party:
    """An organisation under labour/2016 with a contest, two moderators and a panel."""

    def __init__(self) -> None:
        self.organisation = make_organisation_with_units()
        rulebook = rulebook_load(organisation=self.organisation, key="labour/2016")
        now = timezone.now()
        self.contest: Contest = contest_open(
            rulebook=rulebook,
            title="Leadership election",
            nominating_body_size=10,
            freeze_date=dt.date(2016, 1, 12),
            ballot_opens_at=now + dt.timedelta(days=10),
            ballot_closes_at=now + dt.timedelta(days=20),
        )
        self.alice = candidate_add(contest=self.contest, name="Alice Incumbent")
        self.bob = candidate_add(contest=self.contest, name="Bob Challenger")
        self.first = officer(self.organisation, "mod1", Role.MODERATOR)
        self.second = officer(self.organisation, "mod2", Role.MODERATOR)
        self.panel = officer(self.organisation, "panel", Role.APPEALS_PANEL)

    def thread(self, member: Member, text: str = "Opening post") -> object:
        return thread_start(
            member=member, kind="contest", target_id=self.contest.pk, title="Hustings", text=text
        )


@pytest.fixture
def party() -> Party:
    return Party()


def suspend(party: Party, member: Member, *, rule: str | int = 3) -> Moderation:
    proposed = suspension_propose(
        member=member,
        ground=rule,
        days=30,
        moderator=party.first,
        reasons="Repeated personal abuse",
        contest=party.contest,
    )
    return suspension_confirm(moderation=proposed, moderator=party.second)


def test_a_suspended_member_re_registering_as_a_supporter_is_flagged_and_their_posts_held(
    party: Party,
) -> None:
    """The seeds' case: banned, back under a new email; matched by the same person (name and
    date of birth), flagged for review (never refused), and what they write is held."""
    ann = make_member(
        party.organisation,
        full_name="Ann Example",
        email="ann@example.org",
        date_of_birth=dt.date(1970, 5, 1),
    )
    thread = party.thread(ann)
    declaration_make(member=ann, contest=party.contest, candidate=party.bob)
    suspension = suspend(party, ann)
    assert suspension.label == "rule 3, personal abuse"
    with pytest.raises(ContestError, match=r"suspended from discussion until .*rule 3"):
        post_create(member=ann, thread=thread, text="I am back")

    roll = (
        "number,name,email,date_of_birth,joined,standing,section,units\n"
        ",Ann Example,ann.new@example.net,1970-05-01,2016-07-19,active,registered-supporters,\n"
    )
    report = import_roll(party.organisation, roll.encode(), officer=party.first)
    assert report.created == 1
    again = Member.objects.get(email="ann.new@example.net")
    assert again.identity_key != ann.identity_key
    (review,) = Review.objects.filter(member=again)  # flagged by the import itself
    assert review.state == ReviewState.OPEN
    assert review.matched_on == "the same name and date of birth"
    assert registrations_screen(organisation=party.organisation) == []  # flagged once

    post = post_create(member=again, thread=thread, text="Nobody will know it is me")
    assert post.state == PostState.HELD
    assert restriction(again).may_write
    kinds = list(
        AuditEvent.objects.filter(stream=stream(party.organisation)).values_list("kind", flat=True)
    )
    assert "moderation.registration-flagged" in kinds


def test_a_held_post_shows_as_held_to_its_author_and_to_nobody_else_until_a_moderator_acts(
    party: Party,
) -> None:
    author = make_member(party.organisation)
    reader = make_member(party.organisation)
    thread = party.thread(reader)
    member_hold(member=author, ground="spam", moderator=party.first)
    held = post_create(member=author, thread=thread, text="Buy my **book**")
    assert held.state == PostState.HELD

    author_client, reader_client = Client(), Client()
    sign_in_member(author_client, author)
    sign_in_member(reader_client, reader)
    url = reverse("discussion-thread", args=[thread.pk])
    mine = author_client.get(url).content.decode()
    assert "Held for a moderator" in mine
    assert "Buy my <strong>book</strong>" in mine
    assert "Buy my" not in reader_client.get(url).content.decode()
    assert held not in thread_page(thread, reader=reader, page=1).object_list
    assert not search(party.organisation, "book", page=1).posts

    post_release(post=held, moderator=party.first)
    assert "Buy my <strong>book</strong>" in reader_client.get(url).content.decode()


def test_an_appeal_upheld_restores_the_post_is_logged_and_the_figures_count_it_once(
    party: Party,
) -> None:
    author = make_member(party.organisation)
    other = make_member(party.organisation)
    thread = party.thread(other)
    declaration_make(member=author, contest=party.contest, candidate=party.alice)
    post = post_create(member=author, thread=thread, text="You are a fool")
    flag_record(member=other, item_kind="post", item_id=post.pk, ground="abuse")
    hidden = post_hide(post=post, ground="abuse", moderator=party.first, reasons="Name-calling")

    reader = Client()
    sign_in_member(reader, other)
    page = reader.get(reverse("discussion-thread", args=[thread.pk])).content.decode()
    assert "Hidden by a moderator: rule 3, personal abuse." in page
    assert "You are a fool" not in page

    appeal = appeal_lodge(moderation=hidden, member=author, grounds="It was a joke between friends")
    with pytest.raises(ContestError, match="appeals panel"):
        appeal_decide(appeal=appeal, uphold=True, reasons="x", panel_member=party.second)
    membership_grant(user=party.first, organisation=party.organisation, roles=[Role.APPEALS_PANEL])
    also_panel = User.objects.get(pk=party.first.pk)  # roles are read once per user object
    with pytest.raises(ContestError, match="acted on the decision"):
        appeal_decide(appeal=appeal, uphold=True, reasons="x", panel_member=also_panel)
    with pytest.raises(ContestError, match="written reasons"):
        appeal_decide(appeal=appeal, uphold=True, reasons=" ", panel_member=party.panel)
    appeal_decide(appeal=appeal, uphold=True, reasons="Banter, not abuse", panel_member=party.panel)
    post.refresh_from_db()
    hidden.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert hidden.state == ModerationState.REVERSED
    assert (
        "You are a fool"
        in reader.get(reverse("discussion-thread", args=[thread.pk])).content.decode()
    )
    logged = [
        (e.kind, json.loads(e.payload))
        for e in AuditEvent.objects.filter(stream=stream(party.organisation))
    ]
    upheld = [p for k, p in logged if k == "moderation.appeal-upheld"]
    assert upheld[0]["actor"] == "panel"
    assert upheld[0]["reasons"] == "Banter, not abuse"
    assert all("You are a fool" not in json.dumps(p) for _, p in logged)  # the hash, not the text

    shown = figures(party.organisation)
    assert shown.by_rule["rule 3, personal abuse"] is None  # 1 < 10: suppressed when published
    raw = list(
        Moderation.objects.filter(organisation=party.organisation).values_list("rule", "state")
    )
    assert raw == [(3, ModerationState.REVERSED)]  # one decision, counted once
    assert set(shown.by_candidate) == {"Leadership election: Alice Incumbent"}


def test_the_published_figures_show_cells_at_the_rulebooks_size(party: Party) -> None:
    reader = make_member(party.organisation)
    thread = party.thread(reader)
    for n in range(10):
        author = make_member(party.organisation)
        declaration_make(member=author, contest=party.contest, candidate=party.bob)
        post = post_create(member=author, thread=thread, text=f"Abuse number {n}")
        post_hide(post=post, ground=3, moderator=party.first)
    shown = figures(party.organisation)
    assert shown.by_rule["rule 3, personal abuse"] == 10
    assert shown.by_rule["rule 4, spam"] == 0
    assert shown.by_candidate == {"Leadership election: Bob Challenger": 10}
    assert list(shown.by_month.values()) == [10]
    page = Client().get(reverse("discussion-figures", args=[party.organisation.pk]))
    assert "Rule 3, personal abuse" in page.content.decode()


def test_a_review_that_finds_a_wrong_match_frees_the_account_and_publishes_its_posts(
    party: Party,
) -> None:
    ann = make_member(
        party.organisation, full_name="Ann Example", date_of_birth=dt.date(1970, 5, 1)
    )
    namesake = make_member(
        party.organisation, full_name="ann  example", date_of_birth=dt.date(1970, 5, 1)
    )
    thread = party.thread(namesake)
    suspend(party, ann)
    (review,) = Review.objects.filter(member=namesake)  # screened when confirmed
    held = post_create(member=namesake, thread=thread, text="Hello all")
    assert held.state == PostState.HELD
    review_decide(review=review, same_person=False, moderator=party.second)
    held.refresh_from_db()
    assert held.state == PostState.PUBLISHED
    assert restriction(namesake).held is None


def test_a_wrong_match_confirmed_by_a_moderator_is_appealable(party: Party) -> None:
    ann = make_member(
        party.organisation, full_name="Ann Example", date_of_birth=dt.date(1970, 5, 1)
    )
    other = make_member(
        party.organisation, full_name="Ann Example", date_of_birth=dt.date(1970, 5, 1)
    )
    thread = party.thread(other)
    suspension = suspend(party, ann)
    held = post_create(member=other, thread=thread, text="Hello all")
    (review,) = Review.objects.filter(member=other)
    review_decide(review=review, same_person=True, moderator=party.first)
    assert not restriction(other).may_write
    held.refresh_from_db()
    assert held.state == PostState.HIDDEN
    appeal = appeal_lodge(
        moderation=suspension, member=other, grounds="I am a different Ann", review=review
    )
    appeal_decide(appeal=appeal, uphold=True, reasons="Different person", panel_member=party.panel)
    held.refresh_from_db()
    assert held.state == PostState.PUBLISHED
    assert restriction(other).may_write
    suspension.refresh_from_db()
    assert suspension.state == ModerationState.IN_FORCE  # Ann herself stays suspended
    assert not restriction(ann).may_write


def test_a_suspension_needs_a_second_moderator(party: Party) -> None:
    member = make_member(party.organisation)
    proposed = suspension_propose(
        member=member, ground="abuse", days=7, moderator=party.first, reasons="Threats"
    )
    assert restriction(member).may_write
    with pytest.raises(ContestError, match="second moderator must"):
        suspension_confirm(moderation=proposed, moderator=party.first)
    with pytest.raises(ContestError, match="1 to 365 days"):
        suspension_propose(
            member=make_member(party.organisation),
            ground="abuse",
            days=400,
            moderator=party.first,
            reasons="x",
        )
    outsider = officer(make_organisation_with_units("Other Party"), "elsewhere", Role.MODERATOR)
    with pytest.raises(ContestError, match="only a moderator of this organisation"):
        suspension_confirm(moderation=proposed, moderator=outsider)
    suspension_confirm(moderation=proposed, moderator=party.second)
    assert not restriction(member).may_write


def test_posting_is_limited_per_member(party: Party) -> None:
    member = make_member(party.organisation)
    thread = party.thread(member)  # the first post
    for n in range(4):
        post_create(member=member, thread=thread, text=f"post {n}")
    with pytest.raises(ContestError, match="at most 5 a minute"):
        post_create(member=member, thread=thread, text="one too many")
    post_create(member=make_member(party.organisation), thread=thread, text="someone else")


def test_a_post_shows_the_chosen_name_and_section_never_the_real_name(party: Party) -> None:
    member = make_member(party.organisation, full_name="Private Person", display_name="Pat")
    thread = party.thread(member, text="Hello")
    client = Client()
    sign_in_member(client, member)
    page = client.get(reverse("discussion-thread", args=[thread.pk])).content.decode()
    assert "<strong>Pat</strong> · members" in page
    assert "Private Person" not in page
    assert member.email not in page


def test_the_members_home_links_to_the_contests_discussion(party: Party) -> None:
    client = Client()
    sign_in_member(client, make_member(party.organisation))
    home = client.get(reverse("member-home")).content.decode()
    assert reverse("discussion-target", args=["contest", party.contest.pk]) in home
    assert "Discuss: Leadership election" in home
    threads = client.get(reverse("discussion-target", args=["contest", party.contest.pk]))
    assert "Alice Incumbent" in threads.content.decode()  # the candidate one may support


def test_only_signed_in_members_of_the_organisation_read_a_thread(party: Party) -> None:
    member = make_member(party.organisation)
    thread = party.thread(member)
    url = reverse("discussion-thread", args=[thread.pk])
    assert Client().get(url).status_code == 302
    stranger = make_member(make_organisation_with_units("Other Party"))
    client = Client()
    sign_in_member(client, stranger)
    assert client.get(url).status_code == 404


def test_quoting_carries_the_quoted_post_into_the_reply(party: Party) -> None:
    first = make_member(party.organisation, display_name="Quoted Q.")
    thread = party.thread(first, text="The rules are *clear*")
    quoted_post = Post.objects.get(thread=thread, number=1)
    reply = post_create(
        member=make_member(party.organisation), thread=thread, text="I agree", quotes=quoted_post
    )
    assert reply.html.startswith("<blockquote>\n<p><strong>Quoted Q.</strong> wrote:</p>")
    assert "<em>clear</em>" in reply.html
    assert reply.html.rstrip().endswith("<p>I agree</p>")


def test_search_finds_published_posts_on_this_database(party: Party) -> None:
    member = make_member(party.organisation)
    thread = party.thread(member, text="Reselection of sitting members")
    post_create(member=member, thread=thread, text="Trigger ballots in every branch")
    found = search(party.organisation, "ballots", page=1)
    assert [p.text for p in found.posts] == ["Trigger ballots in every branch"]
    assert not found.has_next
    assert not search(party.organisation, "", page=1).posts


def test_a_members_posts_are_exported_then_erased_leaving_the_decision_and_its_hash(
    party: Party,
) -> None:
    member = make_member(party.organisation)
    thread = party.thread(member, text="My first words")
    hidden = post_create(member=member, thread=thread, text="Something regrettable")
    decision = post_hide(post=hidden, ground="abuse", moderator=party.first)
    exported = json.loads(member_posts_export(member))
    assert [p["text"] for p in exported["posts"]] == ["My first words", "Something regrettable"]
    assert member_posts_erase(member=member) == 2
    assert not Post.objects.filter(text__contains="regrettable").exists()
    assert set(Post.objects.filter(thread=thread).values_list("state", flat=True)) == {"erased"}
    decision.refresh_from_db()
    assert len(decision.text_sha256) == 64
    reader = Client()
    sign_in_member(reader, make_member(party.organisation))
    page = reader.get(reverse("discussion-thread", args=[thread.pk])).content.decode()
    assert "Erased at its author&#x27;s request" in page or "Erased at its author's request" in page


def test_a_moderator_hides_through_the_officer_page(party: Party) -> None:
    member = make_member(party.organisation)
    thread = party.thread(member, text="Rude words")
    post = Post.objects.get(thread=thread)
    flag_record(
        member=make_member(party.organisation), item_kind="post", item_id=post.pk, ground="abuse"
    )
    client = Client()
    client.force_login(party.first)
    queue = client.get(reverse("moderation-queue", args=[party.organisation.pk]))
    assert "flagged: abuse (1)" in queue.content.decode()
    url = reverse("moderation-hide", args=[party.organisation.pk, post.pk])
    response = client.post(url, {"ground": "abuse", "reasons": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    queue = client.get(reverse("moderation-queue", args=[party.organisation.pk])).content.decode()
    assert member.email not in queue
    assert member.full_name not in queue


def test_a_member_starts_a_thread_and_replies_quoting_through_the_pages(party: Party) -> None:
    client = Client()
    member = make_member(party.organisation, display_name="Writer W.")
    sign_in_member(client, member)
    start = reverse("discussion-target", args=["contest", party.contest.pk])
    made = client.post(start, {"title": "Rail policy", "text": "Public *ownership*."})
    assert made.status_code == 302
    thread = Post.objects.get(text="Public *ownership*.").thread
    first = Post.objects.get(thread=thread, number=1)
    url = reverse("discussion-thread", args=[thread.pk])
    replied = client.post(url, {"text": "Agreed.", "quotes": first.pk})
    assert replied.status_code == 302
    assert replied["Location"] == f"{url}?page=1"
    page = client.get(url).content.decode()
    assert "<strong>Writer W.</strong> wrote:" in page
    assert "<em>ownership</em>" in page


def _petition(organisation: Organisation, state: str = PetitionState.OPEN) -> Petition:
    return Petition.objects.create(
        organisation=organisation,
        rulebook=Rulebook.objects.filter(organisation=organisation).first(),
        title="Bring back the trains",
        text="We ask for trains.",
        sponsor=make_member(organisation, units=["CLP1"]),
        state=state,
        closes_at=timezone.now() + dt.timedelta(days=10),
        key="k" * 64,
    )


def test_a_thread_is_only_on_a_motion_or_petition_of_the_members_own_organisation(
    party: Party,
) -> None:
    reader = make_member(party.organisation, units=["B1"])
    other = make_organisation_with_units("Other Party")
    motion, petition = make_motion(party.organisation), _petition(party.organisation)
    for kind, pk in (("motion", motion.pk), ("petition", petition.pk)):
        thread = thread_start(member=reader, kind=kind, target_id=pk, title="On it", text="Yes.")
        assert (thread.target_kind, thread.target_id) == (kind, pk)
    refused = [
        ("motion", motion.pk + 1000),
        ("motion", make_motion(other).pk),
        ("petition", petition.pk + 1000),
        ("petition", _petition(other).pk),
        ("petition", _petition(party.organisation, PetitionState.SUBMITTED).pk),
    ]
    for kind, pk in refused:
        with pytest.raises(ContestError, match="nothing of that kind"):
            thread_start(member=reader, kind=kind, target_id=pk, title="On it", text="Yes.")
    client = Client()
    sign_in_member(client, reader)
    page = client.get(reverse("discussion-target", args=["petition", petition.pk]))
    assert reverse("petition", args=[petition.pk]) in page.content.decode()
    missing = client.get(reverse("discussion-target", args=["motion", make_motion(other).pk]))
    assert missing.status_code == 404


def test_an_organisation_with_no_house_rules_says_discussion_is_closed() -> None:
    """Its moderators' queue and its members' pages answer with the reason (no rulebook with
    local rules loaded, a rulebook without house rules), not with a server error."""
    from omov.web.contests.services import organisation_create
    from omov.web.discussion.rulings import book_forget

    book_forget()
    bare = organisation_create(name="No Rules Yet")
    client = Client()
    client.force_login(officer(bare, "mod", Role.MODERATOR))
    closed = client.get(reverse("moderation-queue", args=[bare.pk]))
    assert closed.status_code == 409
    assert "No Rules Yet has no rulebook with rules for local units" in closed.content.decode()
    assert "discussion is closed" in closed.content.decode()

    tories = make_organisation_with_units("Tories", rulebook="conservative/2019", units=())
    member = make_member(tories, units=[])
    member_client = Client()
    sign_in_member(member_client, member)
    page = member_client.get(reverse("discussion-mine"))
    assert page.status_code == 409
    assert "has no house rules, so discussion is closed" in page.content.decode()
