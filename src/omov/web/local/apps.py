from django.apps import AppConfig


class LocalConfig(AppConfig):
    name = "omov.web.local"
    label = "local"
    verbose_name = "Local democracy: meetings, motions, trigger ballots"

    def ready(self) -> None:
        from omov.web.discussion.models import TargetKind
        from omov.web.discussion.targets import targets_register
        from omov.web.local.member_views import discussion_target, home_links
        from omov.web.members.home import home_links_register

        home_links_register(home_links)
        # A thread on a motion is on one that exists, in the member's organisation.
        targets_register(TargetKind.MOTION, discussion_target)
