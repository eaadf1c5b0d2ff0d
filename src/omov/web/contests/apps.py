from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "omov.web.contests"
    label = "contests"
    default_auto_field = "django.db.models.BigAutoField"
