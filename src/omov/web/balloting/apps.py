from django.apps import AppConfig


class BallotingConfig(AppConfig):
    name = "omov.web.balloting"
    label = "balloting"
    default_auto_field = "django.db.models.BigAutoField"
