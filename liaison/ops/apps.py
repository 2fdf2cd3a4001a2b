from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "liaison.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from liaison.ops import checks  # noqa: F401  (registers the deploy checks)
