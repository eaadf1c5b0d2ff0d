"""URL routes of the web app."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from omov.web import views
from omov.web.audit import views as audit
from omov.web.balloting import officer_views as officer_balloting
from omov.web.balloting import views as voting
from omov.web.contests import views as contests
from omov.web.electorate import views as electorate
from omov.web.nominations import views as nominations
from omov.web.results import views as results
from omov.web.trust import views as trust

handler400 = "omov.web.views.bad_request"

officer = [
    path("officer/", contests.officer_home, name="officer-home"),
    path("officer/contest/<int:pk>/", contests.contest_dashboard, name="contest-dashboard"),
    path("officer/contest/<int:pk>/candidates/", contests.candidate_create, name="candidate-add"),
    path(
        "officer/contest/<int:pk>/nominations/",
        nominations.nomination_create,
        name="nomination-add",
    ),
    path(
        "officer/contest/<int:pk>/nominations/close/",
        nominations.nominations_close_view,
        name="nominations-close",
    ),
    path("officer/contest/<int:pk>/roll/", electorate.roll_upload, name="roll-import"),
    path(
        "officer/contest/<int:pk>/electors/<int:elector>/exclude/",
        electorate.elector_exclude_view,
        name="elector-exclude",
    ),
    path(
        "officer/contest/<int:pk>/electors/<int:elector>/appeal/",
        electorate.appeal_lodge_view,
        name="appeal-lodge",
    ),
    path(
        "officer/contest/<int:pk>/appeals/<int:appeal>/",
        electorate.appeal_decide_view,
        name="appeal-decide",
    ),
    path(
        "officer/contest/<int:pk>/freeze/",
        electorate.electorate_freeze_view,
        name="electorate-freeze",
    ),
    path(
        "officer/contest/<int:pk>/credentials/",
        officer_balloting.credentials_issue_view,
        name="credentials-issue",
    ),
    path(
        "officer/contest/<int:pk>/electors/<int:elector>/reissue/",
        officer_balloting.credential_reissue_view,
        name="credential-reissue",
    ),
    path("officer/contest/<int:pk>/open/", officer_balloting.ballot_open_view, name="ballot-open"),
    path(
        "officer/contest/<int:pk>/close/", officer_balloting.ballot_close_view, name="ballot-close"
    ),
    path("officer/contest/<int:pk>/postal/", officer_balloting.postal_upload, name="postal-import"),
    path("officer/contest/<int:pk>/count/", results.count_view, name="result-count"),
    path("officer/contest/<int:pk>/publish/", results.publish_view, name="result-publish"),
    path("officer/contest/<int:pk>/audit.jsonl", audit.audit_trail, name="audit-trail"),
    path("officer/contest/<int:pk>/checkpoint/", trust.checkpoint_view, name="ledger-checkpoint"),
]

voter = [
    path("vote/<int:pk>/", voting.vote_start, name="vote-start"),
    path("vote/<int:pk>/ballot/", voting.vote_ballot, name="vote-ballot"),
    path("vote/<int:pk>/cast/", voting.vote_cast, name="vote-cast"),
    path("vote/<int:pk>/receipt/", voting.vote_receipt, name="vote-receipt"),
    path("contest/<int:pk>/candidates/", voting.candidate_statements, name="statements"),
    path("contest/<int:pk>/receipts/", voting.receipt_check, name="receipt-check"),
    path("contest/<int:pk>/results/", results.results, name="results"),
    path("contest/<int:pk>/results/<str:kind>", results.download, name="results-download"),
    path("contest/<int:pk>/ledger/", trust.heads_page, name="ledger-heads"),
    path("contest/<int:pk>/ledger/heads.json", trust.heads_download, name="ledger-heads-json"),
    path(
        "contest/<int:pk>/ledger/heads/<str:log>/<int:number>.json",
        trust.head_download,
        name="ledger-head",
    ),
    path("contest/<int:pk>/ledger/<str:log>/proof.json", trust.proof_download, name="ledger-proof"),
    path("contest/<int:pk>/board/", trust.board_page, name="ballot-board"),
    path("contest/<int:pk>/bundle.zip", trust.bundle_download, name="bundle-download"),
]

urlpatterns = [
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    *officer,
    *voter,
]
