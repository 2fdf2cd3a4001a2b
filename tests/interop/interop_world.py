"""A small world for the MISP and FtM tests: an owner agency, a recipient it shares with, a
third agency, and one event whose persons carry every marking the onward rules care about."""
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType

from liaison.operations.models import Event, Participant
from liaison.registry.models import Identifier, IdentityDocument, Nationality, Organisation, Relationship
from liaison.sharing.models import Role, Share
from tests.factories import make_agency, make_person, make_user

VICTIM_NAME = "Nguyen Thi Protected"
VICTIM_EMAIL = "hidden.victim@example.org"
RED_NAME = "Red Marked Informer"
AMBER_NAME = "Amber Shared Suspect"
H2_NAME = "Handling Two Suspect"


def build():
    owner = make_agency("OWN", country="TH")
    partner = make_agency("PARTNER", country="VN")
    other = make_agency("OTHER", country="KH")
    officer = make_user(owner, roles=(Role.ANALYST, Role.LIAISON_OFFICER))
    outsider = make_user(other)
    green = {"distribution": "members", "tlp": "GREEN"}
    event = Event.objects.create(owner=owner, kind="raid", title="Raid on the Golden Compound", date="2025-03-02",
                                 place="Myawaddy", description="Joint raid.", **green)
    suspect = make_person(owner, "Chen Wei", "陈伟", sex="male", birth_date="1984-06", **green)
    Nationality.objects.create(person=suspect, country_id="CN")
    IdentityDocument.objects.create(person=suspect, number="E12345678", country_id="CN")
    phone = Identifier.objects.create(owner=owner, kind="phone", value="+66 81 234 5678", **green)
    wallet = Identifier.objects.create(owner=owner, kind="crypto_wallet", value="TXyz1234567890abcdefghijklmnopqrst",
                                       label="TRC20", **green)
    Relationship.objects.create(owner=owner, kind="uses_phone", subject=suspect, object=phone, **green)
    Relationship.objects.create(owner=owner, kind="holds_account", subject=suspect, object=wallet, **green)
    gang = Organisation.objects.create(owner=owner, name="Golden Crew", kind="crime_group", **green)
    Relationship.objects.create(owner=owner, kind="member_of", subject=suspect, object=gang, detail="accountant",
                                **green)
    victim = make_person(owner, VICTIM_NAME, protection="victim", distribution="shared", tlp="GREEN")
    email = Identifier.objects.create(owner=owner, kind="email", value=VICTIM_EMAIL, distribution="shared", tlp="GREEN")
    Relationship.objects.create(owner=owner, kind="uses_handle", subject=victim, object=email, distribution="shared",
                                tlp="GREEN")
    red = make_person(owner, RED_NAME, distribution="shared", tlp="RED")
    amber = make_person(owner, AMBER_NAME, distribution="shared", tlp="AMBER")
    restricted = make_person(partner, H2_NAME, distribution="members", tlp="GREEN", handling="H2")
    for record in (victim, email, red, amber):
        Share.objects.create(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                             agency=partner)
    for person, role in ((suspect, "suspect"), (victim, "victim"), (red, "witness"), (amber, "suspect"),
                         (restricted, "suspect")):
        Participant.objects.create(event=event, person=person, role=role)
    return SimpleNamespace(owner=owner, partner=partner, other=other, officer=officer, outsider=outsider,
                           event=event, suspect=suspect, victim=victim, red=red, amber=amber, restricted=restricted,
                           phone=phone, wallet=wallet, gang=gang)


def muse_handover(rows=24):
    """The first ``rows`` persons of the synthetic Muse handover list imported by the list's own
    path (``registry.importer``) for a Dehong agency, with the handover event they were handed
    over in: (user, event, source). A slice keeps the test fast; the mapping is the same for 571."""
    from liaison.demo.handover import HANDOVER_CSV
    from liaison.registry import importer
    from liaison.registry.models import Source

    dehong = make_agency("DHX", country="CN")
    user = make_user(dehong, roles=(Role.ANALYST, Role.LIAISON_OFFICER))
    lines = HANDOVER_CSV.read_text(encoding="utf-8").splitlines(keepends=True)[: rows + 1]
    report = importer.validate("".join(lines).encode(), HANDOVER_CSV.name)
    importer.import_persons(report, dehong, user=user)
    source = Source.objects.get(owner=dehong, kind=Source.Kind.HANDOVER_LIST)
    event = Event.objects.create(owner=dehong, kind="handover", title="Muse authorities hand suspects to China",
                                 date="--11-18", place="Muse", distribution="owner", tlp="AMBER")
    return user, event, source
