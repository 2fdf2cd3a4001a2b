from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "liaison.tasks"
    label = "tasks"
    verbose_name = _("Background jobs")

    def ready(self):
        # Registers the tasks on the Celery application in every process (web and worker).
        from liaison.tasks import tasks  # noqa: F401
