"""Prepare a database for the load test: officers, marker records, samples for the client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/load .venv/bin/python bench/loadtest/prepare.py \\
        [--persons 20000] [--officers 50] [--out var/loadtest/world.json]

Run by bench/loadtest/run.py. With ``--persons N`` and a database that holds no agency
yet (or ``--fresh``), the database is DROPPED and re-created and N synthetic persons are
loaded with the registry benchmark's generator (bench/registry_bench.py: the same six
agencies, names in several scripts, identifiers, distributions). A copy of the
registry benchmark's million-person database already has them: then nothing is loaded.

Then, idempotently (a second run changes nothing and writes the same file):

- ``--officers`` officers spread over the six agencies (analyst and liaison officer),
  each with a password and a TOTP device whose key goes to the client's file (the
  client computes the second-factor codes as the officers' phones would);
- the marker records: for each agency, records other agencies may NOT see, each
  carrying the string ``LTSECRET<AGENCY>MARKER`` (an owner-only person with an alias
  and a note, an organisation, a source, an identifier) and a protected identity shared
  with every member agency, named ``LTPROT<AGENCY>MARKER``: the others see the record
  but must never see that name. The client checks every body it reads for the markers
  of the other agencies; a hit is a visibility violation;
- samples for the client: names in Latin, Han and Thai script and identifiers to
  search, persons each agency owns (to edit), persons visible to it, and persons of
  other agencies it may not see (opening one must answer 404).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "load-test-password-not-a-secret"
SECRET_MARK = "LTSECRET{}MARKER"
PROTECTED_MARK = "LTPROT{}MARKER"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20000, help="persons to load into an empty database")
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database first")
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "var" / "loadtest" / "world.json"))
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def has_agencies(url):
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM sharing_agency").fetchone()[0] > 0
    except psycopg.Error:
        return False


def load_registry(persons, seed):
    """The registry benchmark's six agencies and ``persons`` synthetic persons."""
    from django.core.management import call_command
    from django.db import connection

    import registry_bench as rb
    from liaison.registry.bulk import deferred_indexes, load_persons
    from liaison.sharing.models import Agency

    call_command("migrate", verbosity=0)
    agencies = [Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc)
                for short, cc in rb.AGENCIES]
    gen = rb.Generator(seed, [a.pk for a in agencies])
    # One call per agency with its share, as the registry benchmark loads (the loader prepares
    # batches ahead within a call).
    shares = [persons * w // sum(rb.AGENCY_WEIGHTS) for w in rb.AGENCY_WEIGHTS]
    shares[0] += persons - sum(shares)
    done, batch = 0, max(500, min(10000, persons // 30))
    with deferred_indexes():
        for owner, size in zip(agencies, shares):
            load_persons((gen.person(owner.pk) for _ in range(size)), owner, reference="loadtest",
                         is_synthetic=True, batch_size=batch)
            done += size
            print(f"  loaded {done:,} persons", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def officers(count, agencies, rng):
    """``count`` officers over the agencies, named lt_<agency>_<n>, with a known TOTP key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from liaison.sharing.models import User

    made = []
    for i in range(count):
        agency = agencies[i % len(agencies)]
        username = f"lt_{agency.short_name.lower()}_{i // len(agencies) + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=PASSWORD, agency=agency,
                                            roles=["analyst", "liaison_officer"], email=f"{username}@example.org")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True,
                                               key=f"{rng.getrandbits(160):040x}")
        made.append({"username": username, "password": PASSWORD, "agency": agency.short_name,
                     "totp_key": device.key, "step": device.step, "digits": device.digits})
    return made


def marker_records(agency):
    """The records of ``agency`` no other agency may see (or whose name it may not read)."""
    from liaison.registry.models import Identifier, Organisation, Person, PersonName, Source

    secret, protected = SECRET_MARK.format(agency.short_name), PROTECTED_MARK.format(agency.short_name)
    if Person.objects.filter(owner=agency, notes=secret).exists():
        return secret, protected
    person = Person.objects.create(owner=agency, distribution="owner", notes=secret, is_synthetic=True)
    PersonName.objects.create(person=person, full_name=f"{secret} Person", kind="primary")
    PersonName.objects.create(person=person, full_name=f"{secret} alias", kind="alias")
    Organisation.objects.create(owner=agency, name=f"{secret} Group", is_synthetic=True)
    Source.objects.create(owner=agency, title=f"{secret} report", text=secret, is_synthetic=True)
    Identifier.objects.create(owner=agency, kind="telegram", value=f"{secret.lower()}_tg", is_synthetic=True)
    victim = Person.objects.create(owner=agency, distribution="members", protection="victim", is_synthetic=True)
    PersonName.objects.create(person=victim, full_name=f"{protected} Victim", kind="primary")
    return secret, protected


def samples(agencies, rng):
    """What the client searches and opens, per agency (ids found with plain SQL: cheap on a million rows)."""
    from django.db import connection

    out = {"names": {}, "identifiers": [], "prefixes": [], "nationalities": [], "agencies": {}}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM registry_person")
        top = cursor.fetchone()[0] or 0
        for script in ("Latn", "Hani", "Thai"):
            cursor.execute("SELECT full_name FROM registry_personname TABLESAMPLE SYSTEM (1) "
                           "WHERE script = %s LIMIT 200", [script])
            out["names"][script] = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT value FROM registry_identifier TABLESAMPLE SYSTEM (1) WHERE kind IN "
                       "('phone', 'email', 'telegram', 'crypto_wallet') AND value NOT LIKE 'ltsecret%%' LIMIT 200")
        out["identifiers"] = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT code FROM core_country WHERE code IN ('CN','MM','KH','TH','VN','LA','ID','PH','MY')")
        out["nationalities"] = [r[0] for r in cursor.fetchall()]
        for agency in agencies:
            low = max(0, top - 5_000_000)
            cursor.execute("SELECT id FROM registry_person WHERE owner_id = %s AND id > %s AND protection = '' "
                           "ORDER BY id DESC LIMIT 300", [agency.pk, low])
            own = [r[0] for r in cursor.fetchall()]
            cursor.execute("SELECT id FROM registry_person WHERE owner_id <> %s AND distribution IN ('members', 'public') "
                           "AND retracted_at IS NULL ORDER BY id DESC LIMIT 300", [agency.pk])
            visible = [r[0] for r in cursor.fetchall()]
            cursor.execute("SELECT p.id FROM registry_person p WHERE p.owner_id <> %s AND p.distribution = 'owner' "
                           "ORDER BY p.id DESC LIMIT 100", [agency.pk])
            hidden = [r[0] for r in cursor.fetchall()]
            out["agencies"][agency.short_name] = {"own": own, "visible": visible, "hidden": hidden}
    names = [n for ns in out["names"].values() for n in ns if n[:1].isalpha()]
    out["prefixes"] = sorted({n[:2] for n in names if n[:1].isascii()})[:40] + sorted({n[:1] for n in names
                                                                                      if not n[:1].isascii()})[:20]
    return out


def main(argv=None):
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The load test runs on PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.setdefault("SECRET_KEY", "load-test-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    fresh = args.fresh or not has_agencies(url)
    if fresh:
        import registry_bench as rb

        os.environ["DATABASE_URL"] = rb.recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    if fresh:
        load_registry(args.persons, args.seed)
    else:
        call_command("migrate", verbosity=0)
    from liaison.sharing.models import Agency

    rng = random.Random(args.seed)
    agencies = list(Agency.objects.filter(short_name__in=[a for a, _c in __import__("registry_bench").AGENCIES])
                    .order_by("pk"))
    if len(agencies) != 6:
        sys.exit(f"expected the registry benchmark's six agencies, found {len(agencies)}")
    with transaction.atomic():
        users = officers(args.officers, agencies, rng)
        markers = {a.short_name: list(marker_records(a)) for a in agencies}
    world = {"users": users, "markers": markers, "agency_ids": {a.short_name: a.pk for a in agencies},
             **samples(agencies, rng)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(world, ensure_ascii=False, indent=1))
    print(f"{len(users)} officers of {len(agencies)} agencies, markers and samples in {out}")


if __name__ == "__main__":
    main()
