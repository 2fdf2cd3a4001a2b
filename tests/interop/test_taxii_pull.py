"""``liaison taxii_pull`` against this server, read with taxii2-client (a module of its own: the
demo that test_taxii.py loads for the whole module would be in the partner's collection)."""
import pytest

from liaison.registry.models import Person
from tests.interop.test_stix import world  # noqa: F401 (fixture)
from tests.interop.test_taxii import no_network, token_auth  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db


def test_taxii_pull_imports_a_partners_collection_once_and_then_only_what_changed(world):  # noqa: F811
    from django.core.management import call_command

    from liaison.interop.management.commands.taxii_pull import pull
    from liaison.interop.taxii import collection_uuid
    from liaison.registry.models import Identifier
    from tests.factories import make_agency, make_user

    th = world["th"]
    # CN lets the suspect go onward (an H2 record of another agency never leaves: onward.py).
    Person.objects.filter(pk=world["suspect"].pk).update(handling="H0")
    url = f"http://testserver/taxii2/liaison/collections/{collection_uuid('agency', th.agency_id)}/"
    puller = make_user(make_agency("SGX", "SG"))
    read, created, _updated = pull(puller, url, auth=token_auth(th), per_request=2)
    assert read and created == 3  # the suspect, his phone and their link; the victim came without her identity
    person = Person.objects.get(owner=puller.agency, display_name="Zhang Wei")
    assert Identifier.objects.filter(owner=puller.agency, normalized="+8613912345678").exists()
    assert "Nguyen Thi Secret" not in str(list(Person.objects.filter(owner=puller.agency).values_list("display_name")))
    counts = Person.objects.count(), Identifier.objects.count()
    _read, created, _updated = pull(puller, url, auth=token_auth(th), per_request=2)
    assert created == 0 and (Person.objects.count(), Identifier.objects.count()) == counts
    assert person.citations.exists()
    with pytest.raises(Exception, match="No active officer"):
        call_command("taxii_pull", url, "--user", "nobody")
