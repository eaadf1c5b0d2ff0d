"""The voter's pages: enter the code, read the statements, rank, review, cast, receipt.

With JavaScript the ballot page reviews and encrypts the ranking itself and posts only the
encrypted ballot (``ciphertext``); without it, the review page posts the ranking and the
cast encrypts it at receipt.

The session holds only the code's digest between pages and is flushed after casting. The
receipt goes to the receipt page in a signed cookie of its own, valid for that page only and
for a few minutes, so the server's session rows never hold a tracker.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from omov.web.balloting.forms import PlainForm, plain_form, ranking_from_post
from omov.web.balloting.selectors import receipt_included
from omov.web.balloting.services import (
    ballot_cast,
    ballot_cast_signed_in,
    credential_check,
    link_sign_in,
)
from omov.web.balloting.throttle import SignInHeldError
from omov.web.clients import client_address, client_key
from omov.web.contests.models import Candidate, Contest
from omov.web.contests.selectors import ballot_candidates
from omov.web.errors import BallotNotOpenError, ContestError
from omov.web.sessions import VOTER_KEY, forget, keeps_voter
from omov.web.signing import signed_cookie, signed_cookie_value
from omov.web.trustees.selectors import contest_binding, election_key
from omov.web.wording import ballot_not_open

SESSION_KEY = VOTER_KEY
RECEIPT_COOKIE = "omov-receipt"
RECEIPT_SECONDS = 600


def _refuse(request: HttpRequest, pk: int, error: ContestError) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    closed = ballot_not_open(contest) if contest.online_voting else None
    context = {"contest": contest, "message": str(error), "closed": closed}
    return render(request, "balloting/refused.html", context, status=400)


def vote_start(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page to enter the code. POST: sign in with it, under the throttle (the
    contest is read only to show the page again with what was wrong, or a 404; 429 with
    ``Retry-After`` while the client is held back)."""
    error, status, retry = "", 200, 0
    if request.method == "POST":
        # Off only where a setting says so (bench/cast.py measures its cost that way).
        throttled = getattr(settings, "OMOV_THROTTLE_CODES", True)
        client = client_key(client_address(request)) if throttled else None
        try:
            digest = credential_check(contest=pk, code=request.POST.get("code", ""), client=client)
        except BallotNotOpenError as refused:
            error, status = str(refused), 400
        except SignInHeldError as held:
            error, status, retry = str(held), 429, held.seconds
        except ContestError as refused:
            error, status = str(refused), 400
        else:
            request.session[SESSION_KEY] = [pk, digest]
            return _redirect("vote-ballot", pk)
    contest = get_object_or_404(Contest, pk=pk)
    # Before the ballot opens, and after it closes, no code is taken: the page says why.
    closed = ballot_not_open(contest) if contest.online_voting else None
    context = {"contest": contest, "error": "" if closed else error, "closed": closed}
    response = render(request, "balloting/start.html", context, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return response


def vote_link(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The one-time link from the voting-code email. GET shows a button and spends
    nothing (mail scanners open links before the voter does); its POST signs the voter in
    and goes to the ballot. A spent or stale link sends the voter to type the code."""
    contest = get_object_or_404(Contest, pk=pk)
    closed = ballot_not_open(contest) if contest.online_voting else None
    error, status = "", 200
    if request.method == "POST" and not closed:
        try:
            digest = link_sign_in(contest_id=pk, token=token)
        except ContestError as refused:
            error, status = str(refused), 400
        else:
            request.session[SESSION_KEY] = [pk, digest]
            return _redirect("vote-ballot", pk)
    context = {"contest": contest, "closed": closed, "error": error}
    return render(request, "balloting/link.html", context, status=status)


def _digest(request: HttpRequest, pk: int) -> str | None:
    held = request.session.get(SESSION_KEY)
    return held[1] if held and held[0] == pk else None


def vote_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the ballot paper. POST: check the ranking and show it for review."""
    contest = get_object_or_404(Contest, pk=pk)
    if _digest(request, contest.pk) is None or not contest.online_voting:
        return redirect("vote-start", pk=pk)
    if ballot_not_open(contest) is not None:  # closed since the code was entered
        request.session.flush()
        return redirect("vote-start", pk=pk)
    candidates = ballot_candidates(contest=contest)
    key = election_key(contest)
    context = {
        "contest": contest,
        "candidates": candidates,
        "choices": range(1, len(candidates) + 1),
        "seal": key
        and {
            "key": key.hex(),
            "binding": contest_binding(contest),
            "positions": ",".join(str(c.position) for c in candidates),
        },
    }
    context["rows"] = _rows(candidates, request.POST if request.method == "POST" else None)
    if request.method == "POST" and "change" in request.POST:  # back from the review
        return render(request, "balloting/ballot.html", context)
    if request.method == "POST":
        try:
            ranking = ranking_from_post(request.POST, contest)
        except ContestError as error:
            context["error"] = str(error)
            return render(request, "balloting/ballot.html", context, status=400)
        by_position = {c.position: c for c in candidates}
        context["review"] = [by_position[p] for p in ranking]
        return render(request, "balloting/review.html", context)
    return render(request, "balloting/ballot.html", context)


def _rows(candidates: list[Candidate], post: QueryDict | None) -> list[tuple[Candidate, str]]:
    """Each candidate with the number the voter gave them, kept across a mistake and a
    change of mind ("" when not ranked; a value no option has selects none)."""
    if post is None:
        return [(c, "") for c in candidates]
    return [(c, str(post.get(f"rank_{c.position}", "")).strip()) for c in candidates]


@require_POST
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    """Cast the reviewed ranking. The contest is read only to show a refusal (or a 404): the
    cast itself reads it under its lock. A plain form goes to the cast as it is, and the
    cast checks its positions against the paper; the paper is read here only to say what
    is wrong with a form that is not plain.

    On PostgreSQL the cast's statement first takes the code's digest from the session's row
    itself (``ballot_cast_signed_in``), so the session is not read before it; only if that
    casts nothing is the session read and the cast tried as before, which says why."""
    session = request.session.session_key or ""  # the cookie's key: reads nothing
    by_row = session and keeps_voter(request.session)
    receipt = _cast_signed_in(request, pk, session) if by_row else None
    if receipt is None:
        digest = _digest(request, pk)
        if digest is None:
            return _refuse(request, pk, ContestError(gettext("enter your voting code first")))
        try:
            receipt = _cast(request, pk, digest, session)
        except ContestError as error:
            return _refuse(request, pk, error)
    forget(request.session)  # the cast deleted its row
    response = _redirect("vote-receipt", pk)
    # Signed under omov's own salt, each salt's key derived once a process (``signing.py``).
    response.set_cookie(
        RECEIPT_COOKIE,
        signed_cookie_value(RECEIPT_COOKIE, receipt, salt=RECEIPT_COOKIE),
        max_age=RECEIPT_SECONDS,
        path=response["Location"],
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _cast_signed_in(request: HttpRequest, pk: int, session: str) -> str | None:
    """The receipt of a cast with the digest the session's row keeps, or None."""
    try:
        sealed = request.POST.get("ciphertext")
        if sealed:
            return ballot_cast_signed_in(contest=pk, session=session, ciphertext=_hex(sealed))
        form = _cast_form(request, pk)
        return ballot_cast_signed_in(
            contest=pk, session=session, ranking=form.ranking, named=form.named
        )
    except ContestError:
        return None  # said again by _cast, once the session is read


def _cast(request: HttpRequest, pk: int, digest: str, session: str) -> str:
    sealed = request.POST.get("ciphertext")
    if sealed:
        return ballot_cast(contest=pk, digest=digest, ciphertext=_hex(sealed), session=session)
    form = _cast_form(request, pk)
    return ballot_cast(
        contest=pk, digest=digest, ranking=form.ranking, named=form.named, session=session
    )


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ContestError(
            gettext("the encrypted ballot is malformed: please vote again")
        ) from None


def _redirect(page: str, pk: int) -> HttpResponseRedirect:
    """To one of a contest's voter pages (signing in and casting end with one)."""
    return HttpResponseRedirect(_page_url(page, get_script_prefix(), pk))


@lru_cache(maxsize=1024)
def _page_url(page: str, script_prefix: str, pk: int) -> str:
    """Reversing a URL costs more (~20 µs) than the rest of a redirect, so each contest's page
    is reversed once for each prefix the app is served under (``reverse`` reads the prefix
    itself; it is an argument here only to key the cache)."""
    return reverse(page, kwargs={"pk": pk})


def _cast_form(request: HttpRequest, pk: int) -> PlainForm:
    """The ranking and the positions named on the form; ContestError if it has a mistake."""
    plain = plain_form(request.POST)
    if plain is not None:
        return plain
    ranking = ranking_from_post(request.POST, pk)  # reads the paper to say what is wrong
    return PlainForm(ranking, ranking)


def vote_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    receipt = signed_cookie(request, RECEIPT_COOKIE, salt=RECEIPT_COOKIE, max_age=RECEIPT_SECONDS)
    if receipt is None:
        return redirect("receipt-check", pk=pk)
    response = render(request, "balloting/receipt.html", {"contest": contest, "receipt": receipt})
    response.delete_cookie(RECEIPT_COOKIE, path=request.path, samesite="Lax")
    return response


def candidate_statements(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    return render(
        request,
        "balloting/statements.html",
        {"contest": contest, "candidates": ballot_candidates(contest=contest)},
    )


def candidate_photo(request: HttpRequest, pk: int, position: int) -> FileResponse:
    """A candidate's photo, always as a JPEG image: every stored photo was written anew as
    one (``contests/photos.py``), whatever its name says (older uploads kept theirs)."""
    candidate = get_object_or_404(Candidate, contest_id=pk, position=position)
    if not candidate.photo:
        raise Http404("no photo")
    try:
        stored = candidate.photo.open("rb")
    except OSError:
        raise Http404("no photo") from None
    response = FileResponse(stored, content_type="image/jpeg")
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def receipt_check(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest, pk=pk)
    receipt = request.GET.get("receipt", "").strip()
    found = receipt_included(contest=contest, receipt=receipt) if receipt else None
    return render(
        request,
        "balloting/receipt_check.html",
        {"contest": contest, "receipt": receipt, "found": found},
    )
