from django.apps import AppConfig


class TrusteesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "omov.web.trustees"
    label = "trustees"
