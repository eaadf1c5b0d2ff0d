from django.apps import AppConfig


class HustingsConfig(AppConfig):
    name = "omov.web.hustings"
    label = "hustings"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Hustings"

    def ready(self) -> None:
        from omov.web.hustings.selectors import hustings_links
        from omov.web.members.home import home_links_register

        home_links_register(hustings_links)
