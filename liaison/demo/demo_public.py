"""The public side in the demo: the Cambodian National Police has published one
recruiter's phone to the public list (a synthetic number), so that checking it on
/public/ answers "listed by the Cambodian National Police since …"."""
from liaison.registry.models import Identifier

DEMO_PUBLISHED_PHONE = "+85512345678"


def load(agencies, users):
    from liaison.public import services

    kh = agencies["KH-NP"]
    officer = users.get("kh.officer") if isinstance(users, dict) else None
    if officer is None:
        from liaison.sharing.models import User

        officer = User.objects.get(username="kh.officer")
    phone, _created = Identifier.objects.get_or_create(
        owner=kh, kind="phone", normalized=DEMO_PUBLISHED_PHONE,
        defaults={"value": DEMO_PUBLISHED_PHONE, "label": "Recruiter's phone (synthetic)", "is_synthetic": True,
                  "distribution": "owner"})
    services.publish(officer, phone, "job_lure", "Fake job agent: “customer service in Cambodia”.")
