from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "omov.web.nominations"
    label = "nominations"
    default_auto_field = "django.db.models.BigAutoField"
