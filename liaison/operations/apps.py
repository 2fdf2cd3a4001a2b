from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "liaison.operations"
    label = "operations"
