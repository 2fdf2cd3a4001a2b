"""The Django admin is for platform administrators and holds no operational data."""
from django.contrib import admin

from liaison.registry.models import Identifier, Person, Source
from liaison.sharing.models import Agency


def test_registry_models_are_not_in_the_admin():
    registered = set(admin.site._registry)
    assert Agency in registered
    assert not registered & {Person, Identifier, Source}
