"""Demo data of the requests app, loaded by ``liaison demo load`` after the story and synthetic records.

The seed report (002) says eight Vietnamese nationals were detained in a
Cambodian raid and that Viet Nam's foreign ministry is verifying their
identities. The eight persons here are synthetic stand-ins (invented names,
marked synthetic), owned by Viet Nam's foreign ministry, which keeps the
consular file on its nationals; they are not shared with anyone yet: sending
a request is what shares them with the Cambodian police.

Each of the two agencies gets a webhook endpoint at 127.0.0.1:8765, where
``liaison webhooks receive`` listens and checks the signatures; while it is
not running, the webhook log shows the failed tries and their back-off.
"""

from liaison.core.models import TLP, Country, Distribution
from liaison.demo.story import SYNTHETIC_NOTE
from liaison.registry.models import Nationality, Person, PersonName, PersonStatus

DETAINED = [
    ("Nguyễn Văn Hùng", "male", "1994"),
    ("Trần Thị Mai", "female", "1999-03"),
    ("Lê Minh Tuấn", "male", "1991"),
    ("Phạm Thị Lan", "female", "2001"),
    ("Hoàng Văn Nam", "male", "1996-11"),
    ("Vũ Thị Hương", "female", "1998"),
    ("Đặng Quốc Bảo", "male", "1993"),
    ("Bùi Thị Thu", "female", "2000-07"),
]
WEBHOOK_URL = "http://127.0.0.1:8765/liaison-webhook"
WEBHOOK_SECRETS = {"VN-MOFA": "demo-secret-vn-mofa-webhook", "KH-NP": "demo-secret-kh-np-webhook"}
NOTE = (
    f"{SYNTHETIC_NOTE}. Stand-in for one of the eight Vietnamese nationals detained in a Cambodian raid "
    "(seed report 002); the name is invented."
)


def load(agencies, users):
    """Create this app's demo records (called once, inside the demo's transaction)."""
    from liaison.requests.models import WebhookEndpoint

    vn, kh = agencies["VN-MOFA"], agencies["KH-NP"]
    countries = {c.code: c for c in Country.objects.filter(code__in=["VN", "KH"])}
    persons = []
    for name, sex, born in DETAINED:
        person = Person.objects.create(
            owner=vn,
            distribution=Distribution.OWNER,
            tlp=TLP.AMBER,
            is_synthetic=True,
            notes=NOTE,
            sex=sex,
            birth_date=born,
        )
        PersonName.objects.create(person=person, full_name=name, kind=PersonName.Kind.PRIMARY, language="vi")
        Nationality.objects.create(person=person, country=countries["VN"], acquired=Nationality.Acquired.BIRTH)
        PersonStatus.objects.create(
            person=person,
            status=PersonStatus.Status.DETAINED,
            country=countries["KH"],
            note="Detained in a Cambodian raid on a scam operation (synthetic)",
        )
        persons.append(person)
    # The story's two officers get addresses (the .invalid domain can never be
    # delivered to) so that the demo's console mail backend shows their notices.
    for username in ("vn.consul", "kh.officer"):
        user = users.get(username)
        if user is not None and not user.email:
            user.email = f"{username}@demo.invalid"
            user.save(update_fields=["email"])
    for short, secret in WEBHOOK_SECRETS.items():
        WebhookEndpoint.objects.create(
            agency=agencies[short],
            url=WEBHOOK_URL,
            secret=secret,
            description="Demo case system (liaison webhooks receive)",
        )
    return persons
