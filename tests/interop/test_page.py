"""The interchange page (/interop/): download and import through the browser, for analysts
and liaison officers only."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liaison.audit.models import AuditEntry
from liaison.registry.models import Person
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user
from tests.interop import interop_world as world

pytestmark = pytest.mark.django_db


def test_export_and_import_through_the_page_and_a_viewer_or_screener_is_refused():
    w = world.build()
    client = login(Client(), w.officer)
    page = client.get("/interop/")
    assert page.status_code == 200 and b"/interop/" in page.content  # the nav link
    # The picker offers the event; a MISP event of it downloads, marked in its name.
    options = client.get("/pick/interop-subjects/", {"q": "Golden"}).json()["results"]
    assert any(o["value"] == f"event:{w.event.pk}" for o in options)
    answer = client.post("/interop/", {"action": "export", "export-format": "misp",
                                       "export-subject": f"event:{w.event.pk}"})
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    assert "TLP-AMBER" in answer["Content-Disposition"]
    text = answer.content.decode()
    assert "Chen Wei" in text and world.VICTIM_NAME not in text and world.RED_NAME not in text
    # Another agency's officer neither finds nor exports it (it answers like a record that does not exist).
    outsider_client = login(Client(), make_user(w.other, roles=(Role.ANALYST,)))
    from liaison.operations.models import Event
    Event.objects.filter(pk=w.event.pk).update(distribution="owner")
    refused = outsider_client.post("/interop/", {"action": "export", "export-format": "stix",
                                                 "export-subject": f"event:{w.event.pk}"})
    assert refused.status_code == 400 and "Chen Wei" not in refused.content.decode()
    Event.objects.filter(pk=w.event.pk).update(distribution="members")

    # Import: a bad file lists numbered problems and imports nothing; a good one shows the counts.
    importer = make_user(make_agency("IMPORTER", country="MY"), roles=(Role.LIAISON_OFFICER,))
    client = login(Client(), importer)
    bad = json.loads(text)
    bad["Event"]["Object"][0]["Attribute"] = []
    answer = client.post("/interop/", {"action": "import", "import-format": "misp",
                                       "import-file": SimpleUploadedFile("bad.json", json.dumps(bad).encode())})
    assert answer.status_code == 400 and b"Nothing was imported" in answer.content and b"object 1" in answer.content
    assert not Person.objects.filter(owner=importer.agency).exists()
    answer = client.post("/interop/", {"action": "import", "import-format": "misp",
                                       "import-file": SimpleUploadedFile("raid.json", text.encode())})
    assert answer.status_code == 200 and b"new records" in answer.content
    assert Person.objects.filter(owner=importer.agency, display_name="Chen Wei").exists()
    assert AuditEntry.objects.filter(action="interop_import", actor=importer).exists()

    for roles in ((Role.VIEWER,), (Role.SCREENER,)):
        refused = login(Client(), make_user(w.owner, roles=roles)).get("/interop/")
        assert refused.status_code in (403, 302) and b"Golden" not in refused.content
