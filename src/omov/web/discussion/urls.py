"""Discussion's routes: members' pages under ``discussion/``, the moderators' and the
appeals panel's under ``officer/<organisation>/moderation/``."""

from django.urls import path

from omov.web.discussion import officer_views as officer
from omov.web.discussion import views

members = [
    path("search/", views.search_view, name="discussion-search"),
    path("mine/", views.mine, name="discussion-mine"),
    path("mine/posts.json", views.export_view, name="discussion-export"),
    path("mine/erase/", views.erase_view, name="discussion-erase"),
    path("thread/<int:thread>/", views.thread_view, name="discussion-thread"),
    path("post/<int:post>/flag/", views.flag_view, name="discussion-flag"),
    path("decision/<int:moderation>/appeal/", views.appeal_view, name="discussion-appeal"),
    path("contest/<int:contest>/support/", views.declare_view, name="discussion-declare"),
    path("figures/<int:organisation>/", views.figures_view, name="discussion-figures"),
    path("<slug:kind>/<int:target_id>/", views.target_threads, name="discussion-target"),
]

moderators = [
    path("", officer.queue, name="moderation-queue"),
    path("post/<int:post>/hide/", officer.hide, name="moderation-hide"),
    path("post/<int:post>/release/", officer.release, name="moderation-release"),
    path("post/<int:post>/hold/", officer.hold, name="moderation-hold"),
    path("post/<int:post>/suspend/", officer.suspend, name="moderation-suspend"),
    path("decision/<int:moderation>/confirm/", officer.confirm, name="moderation-confirm"),
    path("decision/<int:moderation>/lift/", officer.lift, name="moderation-lift"),
    path("review/<int:review>/", officer.review, name="moderation-review"),
    path("appeals/", officer.appeals, name="moderation-appeals"),
    path(
        "appeals/<int:moderation_appeal>/",
        officer.appeal_decide_view,
        name="moderation-appeal-decide",
    ),
]
