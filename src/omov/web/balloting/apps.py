from django.apps import AppConfig


class BallotingConfig(AppConfig):
    name = "omov.web.balloting"
    label = "balloting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.web.balloting import checks  # noqa: F401  (registers the start-up checks)
