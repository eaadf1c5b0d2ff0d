"""What members see: the vote on a motion with their one-time code, and the published
results of local motions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from omov.web.contests.models import Organisation
from omov.web.discussion.targets import Target
from omov.web.errors import ContestError
from omov.web.local import selectors, voting
from omov.web.local.forms import VoteForm
from omov.web.local.models import Motion, MotionState, VotingCode
from omov.web.members.auth import current_member, member_required
from omov.web.members.home import HomeLink
from omov.web.members.models import Member


def discussion_target(organisation: Organisation, pk: int) -> Target | None:
    """A motion members may discuss: one tabled at a meeting of a unit of their
    organisation; its link is the organisation's published local results."""
    found = (
        Motion.objects.filter(meeting__unit__organisation=organisation, pk=pk)
        .select_related("meeting")
        .first()
    )
    if found is None:
        return None
    title = f"{found.meeting.title}: motion {found.position}"
    return Target(title, reverse("local-results", args=[organisation.pk]))


@member_required
def motion_vote(request: HttpRequest, motion: int) -> HttpResponse:
    """A member present at the meeting votes with the code they were sent."""
    found = get_object_or_404(Motion.objects.select_related("meeting__unit"), pk=motion)
    member = current_member(request)
    assert member is not None  # member_required
    form = VoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            voting.vote_cast(
                motion=found,
                member=member,
                code=form.cleaned_data["code"],
                choice=form.cleaned_data["choice"],
            )
        except ContestError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, gettext("Your vote is recorded. Nobody can see how you voted.")
            )
            return redirect("motion-vote", motion=found.pk)
    return render(
        request,
        "local/vote.html",
        {
            "motion": found,
            "meeting": found.meeting,
            "form": form,
            "voted": voting.has_voted(found, member),
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


def local_results(request: HttpRequest, organisation: int) -> HttpResponse:
    """Decided motions per unit and nationally, small units merged."""
    found = get_object_or_404(Organisation, pk=organisation)
    return render(
        request,
        "local/results.html",
        {"organisation": found, "kinds": selectors.national_results(found)},
    )


def home_links(member: Member) -> list[HomeLink]:
    """The member's home: each motion they hold an unspent code for while its vote is open."""
    waiting = VotingCode.objects.filter(
        member=member, used=False, motion__state=MotionState.VOTING
    ).select_related("motion__meeting")
    return [
        HomeLink(
            f"Vote on motion {code.motion.position} at {code.motion.meeting.title}",
            reverse("motion-vote", args=[code.motion_id]),
        )
        for code in waiting
    ]
