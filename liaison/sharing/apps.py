from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "liaison.sharing"
    label = "sharing"

    def ready(self):
        # Audit receivers for sign-in failures and sign-outs (auth.py).
        from liaison.sharing import auth  # noqa: F401
