from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "liaison.sharing"
    label = "sharing"
