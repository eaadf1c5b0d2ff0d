"""The local democracy routes: the secretary's (under ``officer/local/``, every one checked
by ``omov.web.access.checks``), the member's vote and the published results."""

from django.urls import path

from omov.web.local import member_views, views

officer = [
    path("", views.local_home, name="local-home"),
    path("meetings/<int:meeting>/", views.meeting_page, name="meeting"),
    path("meetings/<int:meeting>/open/", views.meeting_open_view, name="meeting-open"),
    path("meetings/<int:meeting>/close/", views.meeting_close_view, name="meeting-close"),
    path("meetings/<int:meeting>/attendance/", views.attendance_view, name="attendance"),
    path("meetings/<int:meeting>/motions/", views.motion_table_view, name="motion-table"),
    path("motions/<int:motion>/votes/", views.motion_votes_view, name="motion-votes"),
    path("motions/<int:motion>/voting/open/", views.voting_open_view, name="voting-open"),
    path("motions/<int:motion>/voting/close/", views.voting_close_view, name="voting-close"),
    path(
        "units/<int:unit>/trigger-ballot/",
        views.trigger_ballot_open_view,
        name="trigger-ballot-open",
    ),
    path("trigger-ballots/<int:ballot>/", views.trigger_ballot_page, name="trigger-ballot"),
    path(
        "trigger-ballots/<int:ballot>/decide/",
        views.trigger_ballot_decide_view,
        name="trigger-ballot-decide",
    ),
]

members = [
    path("motions/<int:motion>/vote/", member_views.motion_vote, name="motion-vote"),
    path("<int:organisation>/results/", member_views.local_results, name="local-results"),
]
