"""A small world for link-analysis tests, shaped like the demo's story.

China (CN) owns the Ming family and Ming Guoping, who uses a Myanmar phone.
Myanmar (MM) holds its own record of the same number, used by Aung Ko Ko: two
persons of different agencies share a phone. Myanmar also holds, owner only
and TLP:AMBER, "Hidden Amber Boss", who uses the same number too, belongs to
the family through Myanmar's owner-only links, and is linked to Guoping and
to a front company by links Myanmar shares with all members (so China sees
the links, not the boss). A protected victim of Myanmar's (identity not
shared) is held at a site and has a phone of her own. China's retracted
suspect was a member of the family.
"""
from types import SimpleNamespace

from django.utils import timezone

from liaison.operations.models import Event, Participant
from liaison.registry.models import Identifier, Organisation, Site
from liaison.sharing.models import Role
from tests.factories import make_agency, make_person, make_user
from tests.web.world import link

PHONE = "+95 9 7312 3456"
BOSS = "Hidden Amber Boss"
VICTIM = "Zorqa Velmira"


def build():
    cn = make_agency("CN-T", "CN")
    mm = make_agency("MM-T", "MM")
    th = make_agency("TH-T", "TH")
    w = SimpleNamespace(cn=cn, mm=mm, th=th)
    w.cn_user = make_user(cn, roles=(Role.ANALYST,), username="cn_graph")
    w.mm_user = make_user(mm, roles=(Role.ANALYST,), username="mm_graph")
    w.th_user = make_user(th, roles=(Role.ANALYST, Role.LIAISON_OFFICER), username="th_graph")

    members = {"distribution": "members", "tlp": "GREEN", "is_synthetic": True}
    w.family = Organisation.objects.create(owner=cn, name="Ming family", kind="family", country_id="MM", **members)
    w.guoping = make_person(cn, "Ming Guoping", **members)
    w.xuechang = make_person(cn, "Ming Xuechang", **members)
    link(cn, w.guoping, "member_of", w.family, start="2019")
    link(cn, w.xuechang, "leads", w.family)
    w.phone_cn = Identifier.objects.create(owner=cn, kind="phone", value=PHONE, **members)
    link(cn, w.guoping, "uses_phone", w.phone_cn)

    w.aung = make_person(mm, "Aung Ko Ko", **members)
    w.phone_mm = Identifier.objects.create(owner=mm, kind="phone", value=PHONE, **members)
    link(mm, w.aung, "uses_phone", w.phone_mm)
    w.company = Organisation.objects.create(owner=mm, name="Kokang Sunrise", kind="front_company", **members)
    link(mm, w.aung, "works_at", w.company)

    # Myanmar's owner-only AMBER boss, and what it alone knows of him.
    w.boss = make_person(mm, BOSS, distribution="owner", tlp="AMBER")
    w.phone_boss = Identifier.objects.create(owner=mm, kind="whatsapp", value=PHONE, distribution="owner", tlp="AMBER")
    link(mm, w.boss, "uses_phone", w.phone_boss, distribution="owner", tlp="AMBER")
    link(mm, w.boss, "member_of", w.family, distribution="owner", tlp="AMBER")
    # Links China sees whose other end is the boss: "a record you cannot see".
    w.to_boss = link(mm, w.guoping, "associate_of", w.boss, tlp="GREEN")
    w.boss_company = Organisation.objects.create(owner=mm, name="Only Through The Boss", **members)
    w.from_boss = link(mm, w.boss, "owns", w.boss_company, tlp="GREEN")

    # A protected victim: Myanmar shares the record with every member, not her identity.
    w.site = Site.objects.create(owner=mm, name="KK Park block C", country_id="MM", **members)
    w.victim = make_person(mm, VICTIM, protection="victim", **members)
    link(mm, w.victim, "held_at", w.site)
    link(mm, w.aung, "works_at", w.site)
    w.victim_phone = Identifier.objects.create(owner=mm, kind="phone", value="+95 9 7312 9876", **members)
    link(mm, w.victim, "uses_phone", w.victim_phone)

    w.raid = Event.objects.create(owner=cn, kind="raid", title="Raid on block C", date="2023-11-18", site=w.site,
                                  **members)
    Participant.objects.create(event=w.raid, person=w.guoping, role="suspect")
    Participant.objects.create(event=w.raid, person=w.victim, role="victim")

    # China's retracted suspect, and a retracted link.
    w.retracted = make_person(cn, "Retracted Suspect", **members)
    link(cn, w.retracted, "member_of", w.family)
    w.retracted.retracted_at = timezone.now()
    w.retracted.save()
    w.retracted_link = link(cn, w.xuechang, "uses_phone", w.phone_cn)
    w.retracted_link.retracted_at = timezone.now()
    w.retracted_link.save()
    return w
