"""Members' pages of discussion: threads on a contest, motion or petition, a thread's
pages with quoting and flagging, search, the member's own posts and decisions (appeal,
export, erase), the candidate they support; and the published moderation figures."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.contests.models import Candidate, Contest, Organisation
from omov.web.discussion.appeals import appeal_lodge
from omov.web.discussion.closed import discussion_open
from omov.web.discussion.forms import AppealForm, GroundForm, PostForm, ThreadForm
from omov.web.discussion.models import (
    Declaration,
    Moderation,
    Post,
    PostState,
    Review,
    TargetKind,
    Thread,
)
from omov.web.discussion.rulings import book_for, restriction, rules_for
from omov.web.discussion.selectors import (
    PER_PAGE,
    figures,
    notices,
    search,
    thread_page,
    threads_on,
)
from omov.web.discussion.services import (
    declaration_make,
    flag_record,
    member_posts_erase,
    member_posts_export,
    post_create,
    thread_start,
)
from omov.web.discussion.targets import target
from omov.web.errors import ContestError
from omov.web.members.auth import current_member, member_required
from omov.web.members.home import HomeLink
from omov.web.members.models import Member

ERASE_WORD = "erase"


CONTESTS_LISTED = 5


def home_links(member: Member) -> list[HomeLink]:
    """The member's home: the discussion of the organisation's latest contests, their own
    posts and decisions, and search."""
    contests = Contest.objects.filter(organisation_id=member.organisation_id).order_by("-pk")
    return [
        *(
            HomeLink(f"Discuss: {title}", reverse("discussion-target", args=["contest", pk]))
            for pk, title in contests.values_list("pk", "title")[:CONTESTS_LISTED]
        ),
        HomeLink("Your discussion: posts, decisions and appeals", reverse("discussion-mine")),
        HomeLink("Search the discussion", reverse("discussion-search")),
    ]


def _member(request: HttpRequest) -> Member:
    member = current_member(request)
    assert member is not None  # member_required let the request through
    return member


@member_required
@discussion_open
def target_threads(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """The threads on a contest, motion or petition, and a form to start one."""
    member = _member(request)
    found = target(member.organisation, kind, target_id)
    if found is None:
        raise Http404("no such thing to discuss")
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = thread_start(
                member=member,
                kind=kind,
                target_id=target_id,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except ContestError as error:
            form.add_error(None, str(error))
        else:
            return redirect("discussion-thread", thread=thread.pk)
    context = {
        "target": found,
        "kind": TargetKind(kind).label,
        "threads": threads_on(member.organisation, kind, target_id),
        "form": form,
        "restriction": restriction(member),
    }
    if found.contest is not None:
        context["candidates"] = found.contest.candidates.all()
        context["supports"] = (
            Declaration.objects.filter(member=member, contest=found.contest)
            .values_list("candidate_id", flat=True)
            .first()
        )
    return render(request, "discussion/threads.html", context)


def _thread(member: Member, pk: int) -> Thread:
    return get_object_or_404(Thread, pk=pk, organisation_id=member.organisation_id)


@member_required
@discussion_open
def thread_view(request: HttpRequest, thread: int) -> HttpResponse:
    """A page of a thread; POST: a reply (quoting a post if ``quotes`` names one)."""
    member = _member(request)
    found = _thread(member, thread)
    form = PostForm(request.POST or None, initial={"quotes": request.GET.get("quote")})
    if request.method == "POST" and form.is_valid():
        quotes = None
        if form.cleaned_data["quotes"]:
            quotes = Post.objects.filter(thread=found, pk=form.cleaned_data["quotes"]).first()
        try:
            post = post_create(
                member=member, thread=found, text=form.cleaned_data["text"], quotes=quotes
            )
        except ContestError as error:
            form.add_error(None, str(error))
        else:
            if post.state == PostState.HELD:
                messages.info(
                    request, gettext("Your post is held for a moderator: only you see it.")
                )
            page = (post.number - 1) // PER_PAGE + 1  # its page, or a little past it
            return redirect(f"{reverse('discussion-thread', args=[found.pk])}?page={page}")
    rules = rules_for(member.organisation)
    quoting = None
    if request.GET.get("quote", "").isdigit():
        quoting = Post.objects.filter(thread=found, pk=int(request.GET["quote"])).first()
    context = {
        "thread": found,
        "page": thread_page(found, reader=member, page=request.GET.get("page")),
        "form": form,
        "member": member,
        "quoting": quoting,
        "show_real_name": rules.show_real_name,
        "show_unit": rules.show_unit,
        "restriction": restriction(member),
    }
    return render(request, "discussion/thread.html", context)


@member_required
@discussion_open
def flag_view(request: HttpRequest, post: int) -> HttpResponse:
    """GET: the post and the house rules to choose from; POST: flag it."""
    member = _member(request)
    found = get_object_or_404(
        Post.objects.select_related("thread"),
        pk=post,
        organisation_id=member.organisation_id,
        state=PostState.PUBLISHED,
    )
    form = GroundForm(request.POST or None, rules=rules_for(member.organisation))
    if request.method == "POST" and form.is_valid():
        try:
            flag_record(
                member=member,
                item_kind="post",
                item_id=found.pk,
                ground=form.cleaned_data["ground"],
            )
        except ContestError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Thank you: a moderator will look at the post."))
        return redirect("discussion-thread", thread=found.thread_id)
    return render(request, "discussion/flag.html", {"post": found, "form": form})


@member_required
@discussion_open
def search_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    query = request.GET.get("q", "")
    results = search(member.organisation, query, page=request.GET.get("page"))
    return render(request, "discussion/search.html", {"query": query, "results": results})


@member_required
@discussion_open
def mine(request: HttpRequest) -> HttpResponse:
    """The member's notices: decisions on their posts and on them, with an appeal form for
    each; held posts; their appeals; the export and the erasure of their posts."""
    member = _member(request)
    book = book_for(member.organisation)
    context = {
        "notices": notices(member),
        "restriction": restriction(member),
        "appeal_form": AppealForm(),
        "appeal_days": book.house_rules.appeal_days if book.house_rules else 0,
        "erase_word": ERASE_WORD,
    }
    return render(request, "discussion/mine.html", context)


@require_POST
@member_required
def appeal_view(request: HttpRequest, moderation: int) -> HttpResponse:
    member = _member(request)
    decision = get_object_or_404(Moderation, pk=moderation, organisation_id=member.organisation_id)
    review = None
    if request.POST.get("review", "").isdigit():
        review = get_object_or_404(Review, pk=int(request.POST["review"]), member=member)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say why the decision is wrong."))
    else:
        try:
            appeal_lodge(
                moderation=decision,
                member=member,
                grounds=form.cleaned_data["grounds"],
                review=review,
            )
        except ContestError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Your appeal has gone to the appeals panel."))
    return redirect("discussion-mine")


@member_required
def export_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(member_posts_export(_member(request)), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-posts.json"'
    return response


@require_POST
@member_required
def erase_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if request.POST.get("confirm", "").strip().lower() != ERASE_WORD:
        messages.error(
            request,
            gettext('Type "%(erase_word)s" to erase your posts.') % {"erase_word": ERASE_WORD},
        )
    else:
        erased = member_posts_erase(member=member)
        messages.success(
            request, gettext("%(erased)s of your posts were erased.") % {"erased": erased}
        )
    return redirect("discussion-mine")


@require_POST
@member_required
def declare_view(request: HttpRequest, contest: int) -> HttpResponse:
    member = _member(request)
    found = get_object_or_404(Contest, pk=contest, organisation_id=member.organisation_id)
    chosen = request.POST.get("candidate", "")
    candidate = (
        get_object_or_404(Candidate, pk=int(chosen), contest=found) if chosen.isdigit() else None
    )
    try:
        declaration_make(member=member, contest=found, candidate=candidate)
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Saved."))
    return redirect("discussion-target", kind="contest", target_id=found.pk)


@discussion_open
def figures_view(request: HttpRequest, organisation: int) -> HttpResponse:
    """The published moderation figures (anyone may read them)."""
    found = get_object_or_404(Organisation, pk=organisation)
    try:
        shown = figures(found)
    except ContestError as error:
        raise Http404(str(error)) from None
    return render(request, "discussion/figures.html", {"organisation": found, "figures": shown})
