from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "omov.web.petitions"
    label = "petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.web.discussion.models import TargetKind
        from omov.web.discussion.targets import targets_register
        from omov.web.members.home import home_links_register
        from omov.web.petitions.views import discussion_target, member_links

        home_links_register(member_links)
        # A thread on a petition is on one that exists, in the member's organisation.
        targets_register(TargetKind.PETITION, discussion_target)
