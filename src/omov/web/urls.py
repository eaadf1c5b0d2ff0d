"""URL routes of the web app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from omov.web import views
from omov.web.access import views as access
from omov.web.access.second_factor import SignInForm
from omov.web.audit import views as audit
from omov.web.balloting import officer_views as officer_balloting
from omov.web.balloting import views as voting
from omov.web.contests import happening_views as happenings
from omov.web.contests import views as contests
from omov.web.discussion import urls as discussion
from omov.web.electorate import member_views as member
from omov.web.electorate import views as electorate
from omov.web.hustings import views as hustings
from omov.web.jobs import views as jobs
from omov.web.local import urls as local
from omov.web.members import views as members
from omov.web.nominations import views as nominations
from omov.web.petitions import officer_views as officer_petitions
from omov.web.petitions import views as petitions
from omov.web.results import views as results
from omov.web.trust import views as trust
from omov.web.trustees import views as trustees

handler400 = "omov.web.views.bad_request"

# Each group shares a prefix, so a request tries only its own group's patterns: the casting
# pages come first, and a vote never walks the officer's pages.
voter = [
    path("", voting.vote_start, name="vote-start"),
    path("link/<str:token>/", voting.vote_link, name="vote-link"),
    path("ballot/", voting.vote_ballot, name="vote-ballot"),
    path("cast/", voting.vote_cast, name="vote-cast"),
    path("receipt/", voting.vote_receipt, name="vote-receipt"),
]

public = [
    path("candidates/", voting.candidate_statements, name="statements"),
    path("candidates/<int:position>/photo.jpg", voting.candidate_photo, name="candidate-photo"),
    path("receipts/", voting.receipt_check, name="receipt-check"),
    path("my-status/", member.elector_status, name="elector-status"),
    path("results/", results.results, name="results"),
    path("results/declaration/", results.declaration, name="results-declaration"),
    path("results/<str:kind>", results.download, name="results-download"),
    path("ledger/", trust.heads_page, name="ledger-heads"),
    path("ledger/heads.json", trust.heads_download, name="ledger-heads-json"),
    path("ledger/heads/<str:log>/<int:number>.json", trust.head_download, name="ledger-head"),
    path("ledger/<str:log>/proof.json", trust.proof_download, name="ledger-proof"),
    path("board/", trust.board_page, name="ballot-board"),
    path("board/range/<str:prefix>.txt", trust.board_range_download, name="ballot-board-range"),
    path("bundle.zip", trust.bundle_download, name="bundle-download"),
    path("hustings/", hustings.hustings_view, name="hustings"),
    path("hustings/ask/", hustings.question_ask_view, name="hustings-ask"),
    path(
        "hustings/questions/<int:number>/support/",
        hustings.question_support_view,
        name="hustings-support",
    ),
    path("hustings/questions/<int:number>/answer/", hustings.answer_view, name="hustings-answer"),
    path(
        "hustings/questions/<int:number>/flag/", hustings.question_flag_view, name="hustings-flag"
    ),
]

officer = [
    path("", contests.contest_dashboard, name="contest-dashboard"),
    path("candidates/", contests.candidate_create, name="candidate-add"),
    path("motions/", happenings.motion_create, name="motion-record"),
    path("resignations/", happenings.resignation_create, name="resignation-record"),
    path("dates/", happenings.date_create, name="date-set"),
    path("nominations/", nominations.nomination_create, name="nomination-add"),
    path("nominations/close/", nominations.nominations_close_view, name="nominations-close"),
    path(
        "nominations/supporting/",
        nominations.supporting_nomination_create,
        name="supporting-nomination-add",
    ),
    path("candidates/withdraw/", nominations.candidate_withdraw_view, name="candidate-withdraw"),
    path("roll/", electorate.roll_upload, name="roll-import"),
    path("roll/<slug:section>/template.csv", electorate.roll_template, name="roll-template"),
    path(
        "electors/<int:elector>/exclude/", electorate.elector_exclude_view, name="elector-exclude"
    ),
    path("exclusions/<int:exclusion>/", electorate.exclusion_decide_view, name="exclusion-decide"),
    path("exclusions/import/", electorate.exclusions_import_view, name="exclusions-import"),
    path("exclusions/confirm/", electorate.exclusions_confirm_view, name="exclusions-confirm"),
    path("electors/<int:elector>/appeal/", electorate.appeal_lodge_view, name="appeal-lodge"),
    path("appeals/<int:appeal>/", electorate.appeal_decide_view, name="appeal-decide"),
    path("freeze/", electorate.electorate_freeze_view, name="electorate-freeze"),
    path("credentials/", officer_balloting.credentials_issue_view, name="credentials-issue"),
    path("mailings.json", jobs.mailings_progress, name="mailings-progress"),
    path("reminder/", officer_balloting.reminder_send_view, name="reminder-send"),
    path(
        "electors/<int:elector>/reissue/",
        officer_balloting.credential_reissue_view,
        name="credential-reissue",
    ),
    path("open/", officer_balloting.ballot_open_view, name="ballot-open"),
    path("close/", officer_balloting.ballot_close_view, name="ballot-close"),
    path("postal/", officer_balloting.postal_upload, name="postal-import"),
    path("count/", results.count_view, name="result-count"),
    path("publish/", results.publish_view, name="result-publish"),
    path("archive/", contests.contest_archive_view, name="contest-archive"),
    path("audit.jsonl", audit.audit_trail, name="audit-trail"),
    path("checkpoint/", trust.checkpoint_view, name="ledger-checkpoint"),
    path("trustees/message/", trustees.message_upload, name="trustee-message"),
    path("trustees/messages.zip", trustees.messages_download, name="trustee-messages"),
    path("trustees/box.json", trustees.box_download, name="ballot-box"),
    path("trustees/demo/", trustees.demo_run, name="trustees-demo"),
    path("hustings/", hustings.hustings_officer, name="hustings-officer"),
    path("hustings/open/", hustings.hustings_open_view, name="hustings-open"),
    path("hustings/choose/", hustings.questions_choose_view, name="hustings-choose"),
    path("hustings/candidates/", hustings.candidate_link_view, name="hustings-candidate"),
    path(
        "hustings/questions/<int:number>/hide/", hustings.question_hide_view, name="hustings-hide"
    ),
]

member_pages = [
    path("", members.member_home, name="member-home"),
    path("sign-in/", members.sign_in, name="member-sign-in"),
    path("sign-in/<str:token>/", members.sign_in_link, name="member-sign-in-link"),
    path("sign-out/", members.sign_out, name="member-sign-out"),
]

organisation_officer = [
    path("", members.officer_members, name="members-officer"),
    path("units/", members.units_upload, name="members-units-import"),
    path("units.csv", members.units_template, name="members-units-template"),
    path("roll.csv", members.roll_template, name="members-roll-template"),
    path("roll/", members.roll_upload, name="members-roll-import"),
    path("rulebook/", members.rulebook_choose_view, name="members-rulebook"),
]

petition_pages = [
    path("", petitions.petition_list, name="petitions"),
    path("start/", petitions.petition_start_view, name="petition-start"),
    path("confirm/<str:token>/", petitions.petition_confirm, name="petition-confirm"),
    path("<int:pk>/", petitions.petition_page, name="petition"),
    path("<int:pk>/count.json", petitions.petition_count, name="petition-count"),
    path("<int:pk>/count.zip", petitions.petition_download, name="petition-download"),
    path("<int:pk>/sign/", petitions.petition_sign, name="petition-sign"),
    path("<int:pk>/sign-by-email/", petitions.petition_sign_email, name="petition-sign-email"),
]

petition_officer = [
    path("", officer_petitions.officer_petitions, name="petitions-officer"),
    path("<int:petition>/", officer_petitions.officer_petition, name="petition-officer"),
    path("<int:petition>/open/", officer_petitions.officer_petition_open, name="petition-open"),
    path(
        "<int:petition>/moderate/",
        officer_petitions.officer_petition_moderate,
        name="petition-moderate",
    ),
    path(
        "<int:petition>/review/",
        officer_petitions.officer_signatures_review,
        name="petition-review",
    ),
    path("<int:petition>/close/", officer_petitions.officer_petition_close, name="petition-close"),
]

urlpatterns = [
    path("vote/<int:pk>/", include(voter)),
    path("contest/<int:pk>/", include(public)),
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("officer/", contests.officer_home, name="officer-home"),
    path("officer/contest/<int:pk>/", include(officer)),
    path("officer/<int:organisation>/members/", include(organisation_officer)),
    path("members/", include(member_pages)),
    path("officer/<int:organisation>/moderation/", include(discussion.moderators)),
    path("discussion/", include(discussion.members)),
    path("officer/local/", include(local.officer)),
    path("local/", include(local.members)),
    path("officer/<int:organisation>/petitions/", include(petition_officer)),
    path("petitions/", include(petition_pages)),
    path(
        "accounts/login/",
        access.OfficerLoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/second-factor/", access.second_factor, name="second-factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
