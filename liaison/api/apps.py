from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "liaison.api"
    label = "api"

    def ready(self):
        from . import schema  # noqa: F401  (registers OpenAPI extensions)
