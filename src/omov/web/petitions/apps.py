from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "omov.web.petitions"
    label = "petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.web.members.home import home_links_register
        from omov.web.petitions.views import member_links

        home_links_register(member_links)
