from django.apps import AppConfig


class ElectorateConfig(AppConfig):
    name = "omov.web.electorate"
    label = "electorate"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.web.electorate.links import status_links
        from omov.web.members.home import home_links_register

        home_links_register(status_links)
