from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "liaison.web"
    label = "web"
