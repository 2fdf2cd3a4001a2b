from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liaison.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from liaison.core import i18n, lookups, sqlite_collations  # noqa: F401 - signal receivers, __anyof
