from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "liaison.registry"
    label = "registry"
