"""The demo's part for requests: the eight detained nationals, owned by Viet
Nam's foreign ministry and not yet shared, and the demo webhook endpoints."""

import pytest

from liaison.demo import builder
from liaison.registry.models import Person
from liaison.requests.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_demo_has_the_detained_nationals_and_endpoints():
    result = builder.load()
    vn, kh = result.users["vn.consul"], result.users["kh.officer"]
    detained = Person.objects.filter(
        owner__short_name="VN-MOFA", statuses__status="detained", statuses__country_id="KH"
    ).distinct()
    assert detained.count() == 8
    assert all(p.is_synthetic and "Synthetic" in p.notes for p in detained)
    assert Person.objects.visible_to(vn).filter(pk__in=detained).count() == 8
    # Cambodia sees them only once a request is sent.
    assert Person.objects.visible_to(kh).filter(pk__in=detained).count() == 0
    assert set(WebhookEndpoint.objects.values_list("agency__short_name", flat=True)) == {"VN-MOFA", "KH-NP"}
    assert all(url.startswith("http://127.0.0.1:") for url in WebhookEndpoint.objects.values_list("url", flat=True))
    builder.load()  # a second run changes nothing
    assert WebhookEndpoint.objects.count() == 2 and detained.count() == 8
