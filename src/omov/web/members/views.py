"""Members' pages (sign in by emailed link, home, sign out) and the officer's members page
(import units and the roll, choose the rulebook in force)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.access.checks import organisation_view
from omov.web.access.models import Role
from omov.web.clients import client_address, client_key
from omov.web.contests.models import Organisation
from omov.web.errors import ContestError
from omov.web.members.auth import (
    NEXT_KEY,
    current_member,
    member_required,
    member_sign_in,
    member_sign_out,
    safe_next,
)
from omov.web.members.forms import RulebookForm, SignInForm, UploadForm
from omov.web.members.home import home_links
from omov.web.members.models import Member, Unit
from omov.web.members.rolls import template_csv
from omov.web.members.selectors import (
    NoLocalRulesError,
    local_editions,
    member_units,
    rulebook_row_in_force,
)
from omov.web.members.services import import_roll, import_units, rulebook_choose
from omov.web.members.signin import (
    LINK_MINUTES,
    LinkNotValidError,
    SignInHeldError,
    sign_in_link_member,
    sign_in_link_use,
    sign_in_request,
)

# Members ----------------------------------------------------------------------------------


def sign_in(request: HttpRequest) -> HttpResponse:
    """GET: ask for the email address. POST: email a link to it if it is on a roll, and
    say the same either way (429 while the client is held back)."""
    if request.GET.get("next"):
        request.session[NEXT_KEY] = safe_next(request, request.GET["next"])
    form = SignInForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "sent": False, "minutes": LINK_MINUTES}
    if request.method == "POST" and form.is_valid():
        try:
            sign_in_request(
                email=form.cleaned_data["email"],
                client=client_key(client_address(request)),
                link=lambda token: request.build_absolute_uri(
                    reverse("member-sign-in-link", args=[token])
                ),
            )
        except SignInHeldError as held:
            context["error"] = str(held)
            return render(request, "members/sign_in.html", context, status=429)
        context["sent"] = True
    return render(request, "members/sign_in.html", context)


def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the link, checked but not used (a mail scanner opening it signs nobody in);
    POST: use it and sign in."""
    try:
        member = sign_in_link_use(token) if request.method == "POST" else sign_in_link_member(token)
    except LinkNotValidError as error:
        context = {"error": str(error), "form": SignInForm(), "minutes": LINK_MINUTES}
        return render(request, "members/sign_in.html", context, status=400)
    if request.method != "POST":
        return render(request, "members/confirm.html", {"organisation": member.organisation})
    next_url = request.session.get(NEXT_KEY, "")
    member_sign_in(request, member)
    return HttpResponseRedirect(safe_next(request, str(next_url)))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    member_sign_out(request)
    messages.success(request, gettext("You have signed out."))
    return redirect("member-sign-in")


@member_required
def member_home(request: HttpRequest) -> HttpResponse:
    member = current_member(request)
    assert member is not None  # member_required let only a member through
    context = {"member": member, "units": member_units(member), "links": home_links(member)}
    return render(request, "members/home.html", context)


# The officer's members page ---------------------------------------------------------------


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # organisation_view let only a signed-in officer through
    return user


def _back(organisation: int) -> HttpResponseRedirect:
    return redirect("members-officer", organisation=organisation)


@organisation_view(None)
def officer_members(request: HttpRequest, organisation: int) -> HttpResponse:
    """What the organisation's roll holds, its units, the rulebook in force and the forms."""
    chosen = get_object_or_404(Organisation, pk=organisation)
    try:
        in_force = rulebook_row_in_force(chosen)
    except NoLocalRulesError:
        in_force = None
    editions = local_editions(chosen)
    context = {
        "organisation": chosen,
        "in_force": in_force,
        "rulebook_form": RulebookForm(
            editions=editions, initial={"rulebook": in_force.key if in_force else None}
        ),
        "upload_form": UploadForm(),
        "units": Unit.objects.filter(organisation=chosen).select_related("parent"),
        "members": Member.objects.filter(organisation=chosen).count(),
        "by_standing": _by_standing(chosen),
    }
    return render(request, "members/officer.html", context)


def _by_standing(organisation: Organisation) -> list[tuple[str, int]]:
    rows = (
        Member.objects.filter(organisation=organisation)
        .values("standing")
        .annotate(n=Count("pk"))
        .order_by("standing")
    )
    return [(str(row["standing"]).capitalize(), int(row["n"])) for row in rows]


def _upload(request: HttpRequest) -> bytes:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ContestError(gettext("choose a CSV file to upload"))
    return bytes(form.cleaned_data["file"].read())


def _run(request: HttpRequest, organisation: int, action: str) -> HttpResponse:
    chosen = get_object_or_404(Organisation, pk=organisation)
    try:
        data = _upload(request)
        if action == "units":
            report = import_units(chosen, data, officer=_officer(request))
        else:
            report = import_roll(chosen, data, officer=_officer(request))
    except ContestError as error:
        messages.error(request, str(error))
    else:
        what = "Units" if action == "units" else "Members"
        messages.success(
            request, gettext("%(what)s imported: %(report)s.") % {"what": what, "report": report}
        )
    return _back(organisation)


@organisation_view(None)
def units_template(request: HttpRequest, organisation: int) -> HttpResponse:
    return _template("units")


@organisation_view(None)
def roll_template(request: HttpRequest, organisation: int) -> HttpResponse:
    return _template("roll")


def _template(what: str) -> HttpResponse:
    response = HttpResponse(template_csv(what), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}-template.csv"'
    return response


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def units_upload(request: HttpRequest, organisation: int) -> HttpResponse:
    return _run(request, organisation, "units")


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def roll_upload(request: HttpRequest, organisation: int) -> HttpResponse:
    return _run(request, organisation, "roll")


@organisation_view(Role.RETURNING_OFFICER)
@require_POST
def rulebook_choose_view(request: HttpRequest, organisation: int) -> HttpResponse:
    chosen = get_object_or_404(Organisation, pk=organisation)
    form = RulebookForm(request.POST, editions=local_editions(chosen))
    if not form.is_valid():
        messages.error(request, gettext("choose one of the rulebooks with rules for local units"))
        return _back(organisation)
    try:
        rulebook_choose(chosen, form.cleaned_data["rulebook"], officer=_officer(request))
    except ContestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Rulebook in force chosen."))
    return _back(organisation)
