from django.apps import AppConfig


class LocalConfig(AppConfig):
    name = "omov.web.local"
    label = "local"
    verbose_name = "Local democracy: meetings, motions, trigger ballots"

    def ready(self) -> None:
        from omov.web.local.member_views import home_links
        from omov.web.members.home import home_links_register

        home_links_register(home_links)
