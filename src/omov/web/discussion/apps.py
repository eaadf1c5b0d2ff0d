from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "omov.web.discussion"
    label = "discussion"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.web.discussion.views import home_links
        from omov.web.members.home import home_links_register

        home_links_register(home_links)
