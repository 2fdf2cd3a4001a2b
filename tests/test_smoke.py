import pytest

from liaison.core.models import Country


@pytest.mark.django_db
def test_countries_loaded():
    assert Country.objects.get(code="MM").name == "Myanmar"
