"""Synthetic registry data around the seed story: persons, identifiers, sites.

Deterministic (one seeded ``random.Random``), marked ``is_synthetic`` with a
note on every record, and spread over owners, distributions and TLP levels so
that officers of different agencies see different parts of the registry.
Rows are written with ``bulk_create_with_history`` so the load stays fast
while every record still has its first history entry.
"""
from __future__ import annotations

import random
import string
from decimal import Decimal

import phonenumbers
from django.contrib.contenttypes.models import ContentType
from simple_history.utils import bulk_create_with_history

from liaison import identifiers as idf
from liaison import names
from liaison.core.models import TLP, Country, Distribution
from liaison.demo import names_pool as pool
from liaison.registry.models import (
    Identifier, IdentityDocument, Nationality, Organisation, Person, PersonName, PersonStatus, Relationship, Site,
)
from liaison.sharing.models import Share

SEED = 20240121
NOTE = "Synthetic demonstration record"
REASON = "liaison demo load"
S = PersonStatus.Status
N = PersonName.Kind

# nationality: (count, owner agencies, share-with candidates)
PEOPLE_PLAN = [
    ("CN", 90, ["CN-MPS", "CN-YN-DH", "CN-YN-XSBN", "CN-YN-LC"], ["MM-MPF", "KH-NP", "TH-RTP", "LMLECC"]),
    ("MM", 45, ["MM-MPF", "CN-YN-DH"], ["CN-MPS", "TH-RTP", "UNODC"]),
    ("VN", 45, ["VN-MOFA", "VN-MPS"], ["KH-NP", "VN-EMB-KH", "UNODC"]),
    ("TH", 30, ["TH-RTP"], ["MM-MPF", "CN-MPS", "LA-MPS"]),
    ("KH", 30, ["KH-NP"], ["CN-KH-LECCO", "VN-MOFA", "TH-RTP"]),
    ("LA", 20, ["LA-MPS"], ["TH-RTP", "CN-YN-XSBN"]),
    ("ID", 20, ["KH-NP", "TH-RTP", "LMLECC"], ["UNODC", "MM-MPF"]),
    ("EG", 10, ["TH-RTP", "LMLECC"], ["UNODC"]),
    ("MA", 10, ["MM-MPF", "LMLECC"], ["UNODC", "TH-RTP"]),
]
VICTIM_SHARE = {"CN": 0.15, "MM": 0.3, "VN": 0.7, "TH": 0.5, "KH": 0.4, "LA": 0.5, "ID": 0.9, "EG": 0.9, "MA": 0.9}

# name, hub, country, admin area, locality, latitude, longitude
SITES = [
    ("KK Park – block C (synthetic)", "KK Park", "MM", "Kayin State", "Myawaddy", "16.6330", "98.5170"),
    ("KK Park – riverside annex (synthetic)", "KK Park", "MM", "Kayin State", "Myawaddy", "16.6412", "98.5096"),
    ("Shwe Kokko – Yatai block 4 (synthetic)", "Shwe Kokko", "MM", "Kayin State", "Shwe Kokko", "16.8337", "98.5331"),
    ("Laukkaing – Crouching Tiger annex (synthetic)", "Laukkaing", "MM", "Kokang SAZ, Shan State", "Laukkaing", "23.6950", "98.7710"),
    ("Laukkaing – east market den (synthetic)", "Laukkaing", "MM", "Kokang SAZ, Shan State", "Laukkaing", "23.7012", "98.7788"),
    ("Sihanoukville – Ochheuteal tower (synthetic)", "Sihanoukville", "KH", "Preah Sihanouk", "Sihanoukville", "10.6100", "103.5290"),
    ("Sihanoukville – Otres compound (synthetic)", "Sihanoukville", "KH", "Preah Sihanouk", "Sihanoukville", "10.5805", "103.5602"),
    ("Bavet – border casino compound (synthetic)", "Bavet", "KH", "Svay Rieng", "Bavet", "11.0630", "106.1380"),
    ("Poipet – casino strip block B (synthetic)", "Poipet", "KH", "Banteay Meanchey", "Poipet", "13.6580", "102.5640"),
    ("Golden Triangle SEZ – Kapok block (synthetic)", "Golden Triangle SEZ", "LA", "Bokeo", "Ton Pheung", "20.3520", "100.0960"),
    ("Golden Triangle SEZ – riverside office (synthetic)", "Golden Triangle SEZ", "LA", "Bokeo", "Ton Pheung", "20.3461", "100.1012"),
]

ORGANISATIONS = [
    ("Golden Phoenix group (synthetic)", "金凤凰集团", Organisation.Kind.CRIME_GROUP, "MM", "Myawaddy"),
    ("Blue Lotus network (synthetic)", "蓝莲花", Organisation.Kind.CRIME_GROUP, "KH", "Sihanoukville"),
    ("Mekong Star Technology Co. (synthetic)", "湄公星科技", Organisation.Kind.FRONT_COMPANY, "LA", "Golden Triangle SEZ"),
    ("Kokang Sunrise Entertainment (synthetic)", "果敢日升娱乐", Organisation.Kind.COMPOUND_OPERATOR, "MM", "Laukkaing"),
    ("Bavet Royal Casino Group (synthetic)", "", Organisation.Kind.COMPOUND_OPERATOR, "KH", "Bavet"),
    ("Siam Bright Recruitment (synthetic)", "สยามไบรท์ จัดหางาน", Organisation.Kind.FRONT_COMPANY, "TH", "Mae Sot"),
]
JOB_DOMAINS = ["thai-dream-jobs.example", "mekong-careers.example", "asia-data-entry.example", "easy-cs-work.example",
               "bangkok-hiring.example", "sea-remote-jobs.example"]
EMAIL_DOMAINS = ["mail.example", "inbox.example", "post.example"]

PASSPORT = {"CN": ("E", 8), "MM": ("MD", 6), "VN": ("C", 7), "TH": ("AA", 7), "KH": ("N", 8), "LA": ("P", 7),
            "ID": ("C", 7), "EG": ("A", 8), "MA": ("TE", 7)}
PHONE_REGIONS = ["MM", "KH", "TH", "CN", "VN", "LA"]
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Builder:
    def __init__(self, agencies, rng=None):
        self.a = agencies
        self.rng = rng or random.Random(SEED)
        self.ct = {m: ContentType.objects.get_for_model(m) for m in (Person, Identifier, Site, Organisation, Relationship)}
        self.countries = set(Country.objects.values_list("code", flat=True))
        self.shares = []
        self.identifier_keys = set()

    # marking -------------------------------------------------------------
    def marking(self, owners, share_pool, sensitive=False):
        r = self.rng
        owner = r.choice(owners)
        roll = r.random()
        if roll < 0.3:
            dist, tlp = Distribution.OWNER, r.choice([TLP.AMBER, TLP.RED] if sensitive else [TLP.AMBER, TLP.AMBER_STRICT])
        elif roll < 0.65 and not sensitive:
            dist, tlp = Distribution.MEMBERS, r.choice([TLP.GREEN, TLP.AMBER])
        else:
            dist, tlp = Distribution.SHARED, r.choice([TLP.AMBER, TLP.AMBER_STRICT])
        targets = []
        if dist == Distribution.SHARED:
            candidates = [s for s in share_pool if s != owner]
            targets = r.sample(candidates, k=min(len(candidates), r.choice([1, 1, 2])))
        return {"owner": self.a[owner], "distribution": dist, "tlp": tlp, "is_synthetic": True, "notes": NOTE}, targets

    def share(self, model, objs_and_targets, include_protected=False):
        for obj, targets in objs_and_targets:
            for short in targets:
                self.shares.append(Share(content_type=self.ct[model], object_id=obj.pk, agency=self.a[short],
                                         include_protected=include_protected and self.rng.random() < 0.5))

    # names ---------------------------------------------------------------
    def names_for(self, nationality, sex):
        r = self.rng
        if nationality == "CN":
            (fs, fl), (gs, gl) = r.choice(pool.CHINESE_SURNAMES), r.choice(pool.CHINESE_GIVEN[sex])
            out = [(fs + gs, N.PRIMARY, "zh"), (f"{fl} {gl}", N.TRANSLITERATION, "zh-Latn")]
            if r.random() < 0.4:
                out.append((r.choice(pool.CHINESE_NICKNAMES), N.NICKNAME, "en"))
            if r.random() < 0.2:
                out.append(("阿" + gs[-1], N.NICKNAME, "zh"))
            return out
        if nationality == "VN":
            full = f"{r.choice(pool.VIETNAMESE_FAMILY)} {r.choice(pool.VIETNAMESE_MIDDLE[sex])} {r.choice(pool.VIETNAMESE_GIVEN[sex])}"
            ascii_form = names.search_key(full).upper()
            return [(full, N.PRIMARY, "vi"), (ascii_form, N.ALIAS, "vi")]
        if nationality == "TH":
            (gn, gl), (fn, fl) = r.choice(pool.THAI_GIVEN[sex]), r.choice(pool.THAI_FAMILY)
            out = [(f"{gn} {fn}", N.PRIMARY, "th"), (f"{gl} {fl}", N.TRANSLITERATION, "th-Latn")]
            if r.random() < 0.6:
                nick = r.choice(pool.THAI_NICKNAMES)
                out.append((nick[0], N.NICKNAME, "th"))
                if r.random() < 0.5:
                    out.append((nick[1], N.NICKNAME, "th-Latn"))
            return out
        if nationality == "KH":
            (fn, fl), (gn, gl) = r.choice(pool.KHMER_FAMILY), r.choice(pool.KHMER_GIVEN[sex])
            return [(f"{fn} {gn}", N.PRIMARY, "km"), (f"{fl} {gl}", N.TRANSLITERATION, "km-Latn")]
        if nationality == "MM":
            gn, gl = r.choice(pool.BURMESE_GIVEN[sex])
            out = [(gn, N.PRIMARY, "my"), (gl, N.TRANSLITERATION, "my-Latn")]
            if r.random() < 0.4:
                hn, hl = pool.BURMESE_HONORIFIC[sex]
                out += [(hn + gn, N.ALIAS, "my"), (f"{hl} {gl}", N.ALIAS, "my-Latn")]
            return out
        if nationality == "LA":
            (gn, gl), (fn, fl) = r.choice(pool.LAO_GIVEN[sex]), r.choice(pool.LAO_FAMILY)
            return [(f"{gn} {fn}", N.PRIMARY, "lo"), (f"{gl} {fl}", N.TRANSLITERATION, "lo-Latn")]
        if nationality == "ID":
            given, family = r.choice(pool.INDONESIAN[sex])
            return [(f"{given} {family}", N.PRIMARY, "id"), (given, N.NICKNAME, "id")]
        given, family = r.choice(pool.ARABIC_GIVEN[sex]), r.choice(pool.ARABIC_FAMILY)
        return [(f"{given[0]} {family[0]}", N.PRIMARY, "ar"), (f"{given[1]} {family[1]}", N.TRANSLITERATION, "ar-Latn"),
                (f"{given[2]} {family[1]}", N.ALIAS, "ar-Latn")]

    def birth_date(self):
        r = self.rng
        year = r.randint(1968, 2004)
        roll = r.random()
        if roll < 0.1:
            return ""
        if roll < 0.45:
            return str(year)
        if roll < 0.65:
            return f"{year}-{r.randint(1, 12):02d}"
        return f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"

    # identifiers ---------------------------------------------------------
    def phone(self, region):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        digits = str(example.national_number)
        while True:
            candidate = digits[:-6] + "".join(self.rng.choice(string.digits) for _ in range(6))
            number = phonenumbers.parse(candidate, region)
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def identifier_values(self, nationality, latin_name, suspect):
        r = self.rng
        handle = "".join(c for c in names.search_key(latin_name).replace(" ", "_") if c.isascii())[:20] or "user"
        kinds = ["phone", "phone", "telegram", "email"]
        kinds += ["crypto_wallet", "crypto_wallet", "wechat" if nationality == "CN" else "telegram"] if suspect else ["phone"]
        out = []
        for kind in r.sample(kinds, k=r.choice([1, 2, 2, 2, 3])):
            if kind == "phone":
                region = nationality if nationality in PHONE_REGIONS and r.random() < 0.6 else r.choice(PHONE_REGIONS)
                out.append((idf.PHONE, self.phone(region), "", region))
            elif kind == "telegram":
                out.append((idf.TELEGRAM, f"@{handle}_{r.randint(10, 9999)}", "Telegram", None))
            elif kind == "wechat":
                out.append((idf.WECHAT, f"wxid_{''.join(r.choice(string.ascii_lowercase + string.digits) for _ in range(10))}", "WeChat", None))
            elif kind == "email":
                out.append((idf.EMAIL, f"{handle}{r.randint(1, 999)}@{r.choice(EMAIL_DOMAINS)}", "", None))
            else:
                out.append((idf.CRYPTO_WALLET, "T" + "".join(r.choice(BASE58) for _ in range(33)), "USDT (TRC20)", None))
        return out

    # building ------------------------------------------------------------
    def build(self):
        orgs = self.build_organisations()
        sites = self.build_sites(orgs)
        self.build_people(orgs, sites)
        Share.objects.bulk_create(self.shares)

    def build_organisations(self):
        orgs, marked = [], []
        for name, alias, kind, country, area in ORGANISATIONS:
            marking, targets = self.marking(["CN-MPS", "MM-MPF", "KH-NP", "TH-RTP", "LMLECC"], ["CN-MPS", "TH-RTP", "KH-NP", "MM-MPF"])
            org = Organisation(name=name, aliases=alias, kind=kind, country_id=country, area=area, **marking)
            org.save()
            orgs.append(org)
            marked.append((org, targets))
        self.share(Organisation, marked)
        # Fake job sites run by the front companies.
        links = []
        for domain, org in zip(JOB_DOMAINS, [o for o in orgs for _ in (0, 1) if o.kind == Organisation.Kind.FRONT_COMPANY] * 3):
            marking = {k: getattr(org, k) for k in ("owner", "distribution", "tlp", "is_synthetic", "notes")}
            ident = Identifier(kind=idf.DOMAIN, value=domain, label="fake job advertisements", **marking)
            ident.save()
            links.append(Relationship(kind=Relationship.Kind.OPERATES, subject_type=self.ct[Organisation], subject_id=org.pk,
                                      object_type=self.ct[Identifier], object_id=ident.pk, **marking))
        bulk_create_with_history(links, Relationship, default_change_reason=REASON)
        return orgs

    def build_sites(self, orgs):
        sites, marked = [], []
        for name, hub, country, admin, locality, lat, lon in SITES:
            marking, targets = self.marking(["MM-MPF", "KH-NP", "LA-MPS", "CN-MPS", "TH-RTP", "LMLECC"],
                                            ["CN-MPS", "TH-RTP", "VN-MOFA", "UNODC"])
            operator = self.rng.choice([o for o in orgs if o.country_id == country] or [None])
            site = Site(name=name, aliases=hub, country_id=country, admin_area=admin, locality=locality,
                        latitude=Decimal(lat), longitude=Decimal(lon), operator=operator,
                        status=self.rng.choice([Site.Status.ACTIVE, Site.Status.RAIDED, Site.Status.CLOSED, Site.Status.UNKNOWN]),
                        status_since=str(self.rng.choice([2023, 2024])), **marking)
            site.save()
            sites.append(site)
            marked.append((site, targets))
        self.share(Site, marked)
        return sites

    def build_people(self, orgs, sites):
        r = self.rng
        people, plans = [], []
        for nationality, count, owners, share_pool in PEOPLE_PLAN:
            for _ in range(count):
                victim = r.random() < VICTIM_SHARE[nationality]
                sex = r.choice(["male", "male", "female"] if not victim else ["male", "female"])
                marking, targets = self.marking(owners, share_pool, sensitive=victim)
                person = Person(sex=sex, birth_date=self.birth_date(), **marking)
                person.protection = Person.Protection.VICTIM if victim and r.random() < 0.7 else ""
                plan = {"nationality": nationality, "victim": victim, "names": self.names_for(nationality, sex),
                        "targets": targets}
                person.display_name = plan["names"][0][0]
                people.append(person)
                plans.append(plan)
        people = bulk_create_with_history(people, Person, default_change_reason=REASON)
        self.share(Person, [(p, plan["targets"]) for p, plan in zip(people, plans)], include_protected=True)

        rows = {PersonName: [], Nationality: [], IdentityDocument: [], PersonStatus: []}
        identifiers, id_links, rel_plans = [], [], []
        for person, plan in zip(people, plans):
            nat = plan["nationality"]
            for full, kind, language in plan["names"]:
                rows[PersonName].append(PersonName(person=person, full_name=names.nfc(full), kind=kind, language=language,
                                                   script=names.detect_script(full), search_key=names.search_key(full)))
            rows[Nationality].append(Nationality(person=person, country_id=nat, acquired=Nationality.Acquired.BIRTH))
            if r.random() < 0.7:
                prefix, digits = PASSPORT[nat]
                number = prefix + "".join(r.choice(string.digits) for _ in range(digits))
                rows[IdentityDocument].append(IdentityDocument(person=person, number=number, country_id=nat))
            rows[PersonStatus] += self.statuses(person, plan)
            marking = {k: getattr(person, k) for k in ("owner", "distribution", "tlp", "is_synthetic", "notes")}
            latin = next((n for n, _k, _l in plan["names"] if names.detect_script(n) == "Latn"), "user")
            for kind, value, label, region in self.identifier_values(nat, latin, not plan["victim"]):
                normalized = idf.normalize(kind, value, region)
                key = (person.owner_id, kind, normalized)
                if key in self.identifier_keys:
                    continue
                self.identifier_keys.add(key)
                identifiers.append(Identifier(kind=kind, value=value, normalized=normalized, label=label,
                                              country_id=idf.phone_region(normalized) if kind == idf.PHONE else None,
                                              **marking))
                id_links.append((person, plan["targets"]))
            rel_plans.append((person, plan, marking))
        for model, objs in rows.items():
            bulk_create_with_history(objs, model, default_change_reason=REASON)
        identifiers = bulk_create_with_history(identifiers, Identifier, default_change_reason=REASON)
        self.share(Identifier, [(i, targets) for i, (_p, targets) in zip(identifiers, id_links)])

        relationships, rel_targets = [], []
        for ident, (person, targets) in zip(identifiers, id_links):
            kind = {idf.PHONE: Relationship.Kind.USES_PHONE, idf.CRYPTO_WALLET: Relationship.Kind.HOLDS_ACCOUNT,
                    idf.EMAIL: Relationship.Kind.HOLDS_ACCOUNT}.get(ident.kind, Relationship.Kind.USES_HANDLE)
            relationships.append(self.relationship(kind, person, ident, ident))
            rel_targets.append(targets)
        for person, plan, marking in rel_plans:
            site = r.choice(sites)
            org = site.operator or r.choice(orgs)
            if plan["victim"]:
                links = [(Relationship.Kind.HELD_AT, site), (Relationship.Kind.VICTIM_OF, org)]
            else:
                links = [(Relationship.Kind.WORKS_AT, site)] + ([(Relationship.Kind.MEMBER_OF, org)] if r.random() < 0.6 else [])
            for kind, target in links:
                relationships.append(self.relationship(kind, person, target, person))
                rel_targets.append(plan["targets"])
        relationships = bulk_create_with_history(relationships, Relationship, default_change_reason=REASON)
        self.share(Relationship, list(zip(relationships, rel_targets)))

    def relationship(self, kind, subject, obj, marked_like):
        marking = {k: getattr(marked_like, k) for k in ("owner", "distribution", "tlp", "is_synthetic", "notes")}
        return Relationship(kind=kind, subject_type=self.ct[type(subject)], subject_id=subject.pk,
                            object_type=self.ct[type(obj)], object_id=obj.pk,
                            start=str(self.rng.choice([2022, 2023, 2024])), **marking)

    def statuses(self, person, plan):
        r = self.rng
        nat = plan["nationality"]
        if plan["victim"]:
            path = r.choice([[S.MISSING], [S.CAPTIVE], [S.CAPTIVE, S.RESCUED], [S.RESCUED, S.REPATRIATED], [S.RESCUED]])
        else:
            path = r.choice([[S.WANTED], [S.WANTED, S.FUGITIVE], [S.ARRESTED, S.IN_CUSTODY], [S.DETAINED],
                             [S.ARRESTED, S.IN_CUSTODY, S.CONVICTED], [S.WANTED, S.ARRESTED]])
        year = r.choice([2023, 2024])
        out = []
        for month, status in enumerate(path, start=r.randint(1, 6)):
            holder = None
            if status in (S.DETAINED, S.IN_CUSTODY, S.ARRESTED):
                holder = r.choice(["CN", "MM", "KH", "TH"] if nat != "CN" else ["CN", "CN", "MM", "KH"])
            if status == S.REPATRIATED:
                holder = nat
            out.append(PersonStatus(person=person, status=status, date=f"{year}-{month:02d}", country_id=holder,
                                    note="in custody of the holding country" if status == S.IN_CUSTODY else ""))
        return out


def build(agencies, seed=SEED):
    Builder(agencies, random.Random(seed)).build()
