from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "omov.web.access"
    label = "access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.web.access import roles  # registers the permissions with django-rules

        del roles
