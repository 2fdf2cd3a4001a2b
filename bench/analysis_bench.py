"""Analysis at a million persons on PostgreSQL: map, link analysis, report (issue 17).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/analysis_bench \\
        nice -n 10 .venv/bin/python bench/analysis_bench.py --persons 1000000
    # later runs: measure only, on the database the first run built
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/analysis_bench \\
        nice -n 10 .venv/bin/python bench/analysis_bench.py --keep-data

Without ``--keep-data`` the database named in DATABASE_URL (default ``analysis_bench``) is
DROPPED and re-created (``registry_bench.recreate_database``: C.UTF-8, ``jit = off``;
``test``, ``liaison_dev`` and ``postgres`` are refused). The build took 45 minutes at a
million persons on the shared two-core machine under a load of 9–13 (persons 35 min at
~480/s, index rebuild 4.5 min, the rest 3 min, VACUUM ANALYZE 1 min; 4.2 GB); on a quiet
machine the COPY loader runs at ~4,000 persons/s, so ~10 minutes. Each step is logged with
its time. ``--persons 20000 --sites 2000 --events 2000`` builds a small one in a minute or two.

What it builds (seeded, reproducible):

* six agencies (those of ``registry_bench``), one analyst each;
* ``--persons`` persons through the registry's COPY loader (``registry.bulk.load_persons``,
  inside ``deferred_indexes``), with ``registry_bench.Generator``'s names and identifiers, but
  markings of their own so that a partner sees most, not all: distribution 22 % owner only,
  60 % all members, 15 % shared with one or two named agencies, 3 % public; TLP:CLEAR for
  public, a third of members' records GREEN, a tenth of owner-only/shared ones RED; 1 in 500
  retracted; 2 % protected identities (victims, witnesses, informants). One person in ten also
  uses a phone of a pool of 10,000 numbers (not the "shared" ones: see ``person``), so that numbers are shared within an agency (one
  ``Identifier``, several persons) and across agencies (one number, one record per agency);
* ``--links`` random person–person links (associate, family, related) with mixed markings;
* one **hub** person with 5,000 links (3,500 to persons, 1,500 to identifiers; 20 % owner only,
  10 % shared, 1 % retracted);
* **path pairs**: 20 pairs joined by a visible chain of 3 links, 20 by one of 4, and 10 whose
  only short chain runs through a person the partner may not see (no path for them);
* ``--sites`` sites in MM/TH/KH/LA/VN (70 % around 17 known hotspots, the rest anywhere in the
  country), with a status history of one to three rows each (created active, raided, closed:
  written straight into simple-history's table, dated), and ``--events`` events (75 % at a site),
  figures with qualifiers on 60 % of them, sources and citations;
* 30 operations with phases (half the events belong to one) and the **report operation**
  ("Bench Jingyao", owned by the CN agency, 3 phases, ``--report-events`` events with figures and
  a cited source each, ``--report-persons`` participants with statuses; 70 % of its events
  visible to all members, the rest owner only, TLP:RED or shared with the operation, to which the
  partner analyst is assigned).

Then it measures, as the analyst of RTP (Thailand), who sees most but not all of it, through
the analysis functions every view uses (p50/p95/max over ``--reps`` runs after 3 warm-ups):

* ``liaison.analysis.map_views.map_features(user, bbox, filters)``: random viewports at zoom
  5, 7, 9 and 11, with and without filters — target p95 < 300 ms;
* ``liaison.analysis.graph_data.neighbourhood(user, node, hops=2)`` of the hub — < 500 ms;
* ``liaison.analysis.graph_data.shortest_path(user, a, b, max_hops=4)`` — < 1 s;
* ``liaison.analysis.report.render_pdf(user, operation, phase=None)`` — < 10 s (pages printed).

A function that does not exist (yet) is skipped with a message. Results are also written as
JSON to ``bench/results/`` (not committed).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import io
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registry_bench as rb  # noqa: E402

DISTRIBUTIONS = ["owner", "members", "shared", "public"]
PERSON_DISTRIBUTION_WEIGHTS = [22, 60, 15, 3]
RECORD_DISTRIBUTION_WEIGHTS = [20, 60, 12, 8]  # sites, events, links
PARTNER = "RTP"  # the measuring analyst's agency (Thailand): owns ~15 %, sees most of the rest
REPORT_OWNER = "MPS"
SHARED_PHONES = 10_000

# (latitude, longitude, spread in degrees, country, admin area, locality)
HOTSPOTS = [
    (16.80, 98.50, 0.08, "MM", "Kayin State", "Shwe Kokko"),
    (16.64, 98.60, 0.05, "MM", "Kayin State", "KK Park"),
    (23.69, 98.76, 0.10, "MM", "Kokang SAZ", "Laukkaing"),
    (20.45, 99.88, 0.08, "MM", "Shan State", "Tachileik"),
    (21.68, 100.09, 0.10, "MM", "Shan State", "Mong La"),
    (16.71, 98.57, 0.06, "TH", "Tak", "Mae Sot"),
    (20.43, 99.88, 0.05, "TH", "Chiang Rai", "Mae Sai"),
    (13.75, 100.50, 0.20, "TH", "Bangkok", "Bangkok"),
    (13.66, 102.56, 0.06, "KH", "Banteay Meanchey", "Poipet"),
    (10.63, 103.52, 0.12, "KH", "Preah Sihanouk", "Sihanoukville"),
    (11.08, 106.16, 0.05, "KH", "Svay Rieng", "Bavet"),
    (11.56, 104.92, 0.15, "KH", "Phnom Penh", "Phnom Penh"),
    (20.36, 100.10, 0.06, "LA", "Bokeo", "Golden Triangle SEZ"),
    (17.97, 102.61, 0.10, "LA", "Vientiane", "Vientiane"),
    (11.07, 106.18, 0.05, "VN", "Tay Ninh", "Moc Bai"),
    (10.78, 106.70, 0.15, "VN", "Ho Chi Minh City", "Ho Chi Minh City"),
    (22.49, 103.97, 0.08, "VN", "Lao Cai", "Lao Cai"),
]
COUNTRY_BOXES = {  # (south, west, north, east), roughly
    "MM": (10.0, 92.2, 28.5, 101.2), "TH": (5.6, 97.3, 20.5, 105.6), "KH": (10.4, 102.3, 14.7, 107.6),
    "LA": (13.9, 100.1, 22.5, 107.7), "VN": (8.4, 102.1, 23.4, 109.5),
}
REGION = (5.6, 92.2, 28.5, 109.5)
SITE_KINDS = (["compound", "den", "casino", "office", "crossing", "other"], [40, 25, 10, 10, 10, 5])
SITE_STATUSES = (["active", "raided", "closed", "unknown"], [50, 25, 20, 5])
EVENT_KINDS = (
    ["raid", "arrest", "rescue", "detention", "handover", "repatriation", "deportation", "site_closure",
     "meeting", "sentence", "other"],
    [20, 20, 12, 8, 8, 8, 6, 5, 3, 3, 7],
)
FIGURE_CATEGORIES = ["suspects", "leaders", "fugitives", "victims", "people", "cases", "sites", "deaths", "sentenced"]
QUALIFIERS = (["", "more_than", "at_least", "about", "up_to"], [55, 20, 10, 10, 5])
STATUS_FOR_ROLE = {"suspect": ["arrested", "detained", "in_custody", "convicted", "fugitive", "wanted"],
                   "leader": ["wanted", "arrested", "convicted"], "victim": ["rescued", "repatriated", "missing"],
                   "witness": ["released"], "other": ["released", "deceased"]}
MAP_ZOOMS = (5, 7, 9, 11)
TARGETS_MS = {"map": 300, "neighbourhood": 500, "shortest_path": 1000, "report": 10_000}


def log(message, start=None):
    suffix = f" ({time.perf_counter() - start:,.1f} s)" if start is not None else ""
    print(f"[{time.strftime('%H:%M:%S')}] {message}{suffix}", flush=True)


# --------------------------------------------------------------------------- markings


def marking(rng, agency_ids, owner_id, weights=RECORD_DISTRIBUTION_WEIGHTS):
    """(distribution, tlp, agencies shared with) obeying the TLP rules of sharing.services.check_marking."""
    distribution = rng.choices(DISTRIBUTIONS, weights)[0]
    share_with = []
    if distribution == "public":
        tlp = "CLEAR"
    elif distribution == "members":
        tlp = rng.choice(("GREEN", "AMBER", "AMBER"))
    else:
        tlp = rng.choices(("AMBER", "RED", "AMBER+STRICT"), [80, 15, 5])[0]
        if distribution == "shared":
            share_with = rng.sample([a for a in agency_ids if a != owner_id], rng.choice((1, 1, 2)))
    return distribution, tlp, share_with


class AnalysisGenerator(rb.Generator):
    """The registry benchmark's persons, with the markings, protection and shared phones above."""

    def __init__(self, seed, agency_ids):
        super().__init__(seed, agency_ids)
        self.extra = random.Random(seed + 100)

    def person(self, owner_id):
        row = super().person(owner_id)
        rng = self.extra
        distribution = rng.choices(DISTRIBUTIONS, PERSON_DISTRIBUTION_WEIGHTS)[0]
        row["distribution"] = distribution
        row.pop("share_with", None)
        if distribution == "shared":
            row["share_with"] = rng.sample([a for a in self.agency_ids if a != owner_id], rng.choice((1, 1, 2)))
        if distribution != "public" and rng.random() < 0.02:
            row["protection"] = rng.choice(("victim", "victim", "witness", "informant"))
        # Not for "shared" persons: registry.bulk writes a Share per identifier of a shared person,
        # and a second person sharing one number with the same agency would repeat that Share
        # (a unique constraint): a limit of the loader, reported, not worked around there.
        if distribution != "shared" and rng.random() < 0.10:
            k = rng.randrange(SHARED_PHONES)
            row["identifiers"].append({"kind": "phone", "value": f"+66 9{1 + k % 9} {k:07d}"})
        return row


# --------------------------------------------------------------------------- COPY


def copy_rows(model, rows, *, reserve_ids=True):
    """COPY ``rows`` (dicts of attnames) into ``model``'s table, defaults filled as the ORM would.

    The registry's loader does this for persons (``registry.bulk``); sites, events, links and
    history rows are few enough to share its helpers rather than its validation."""
    from django.db import connection
    from django.utils import timezone

    from liaison.registry import bulk

    if not rows:
        return []
    table = bulk._Table(model, timezone.now())
    pk = model._meta.pk.attname
    for row in rows:
        table.add(**row)
    if reserve_ids:
        for row, new_id in zip(table.rows, bulk._reserve_ids(model, len(table.rows))):
            row[pk] = new_id
    names = [(c, a) for c, a in zip(table.columns, table.attnames) if reserve_ids or a != pk]
    cols = ", ".join(connection.ops.quote_name(c) for c, _a in names)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cols}) FROM STDIN") as copy:
            for row in table.rows:
                copy.write_row(tuple(row[a] for _c, a in names))
    return [row[pk] for row in table.rows] if reserve_ids else []


def share_rows(ct_id, object_id, agency_ids):
    return [{"content_type_id": ct_id, "object_id": object_id, "agency_id": a} for a in agency_ids]


# --------------------------------------------------------------------------- the build


def build(args):
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from liaison.registry.bulk import deferred_indexes, load_persons
    from liaison.registry.models import Identifier, Person, Relationship
    from liaison.sharing.models import Agency, Share, User

    total_start = time.perf_counter()
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    log("migrated", start)
    agencies = {short: Agency.objects.create(name=f"Agency {short}", short_name=short, country_id=cc)
                for short, cc in rb.AGENCIES}
    for a in agencies.values():
        User.objects.create_user(username=f"bench_{a.short_name.lower()}", agency=a, roles=["analyst"])
    agency_ids = [a.pk for a in agencies.values()]
    ct = {m: ContentType.objects.get_for_model(m).pk for m in (Person, Identifier, Relationship)}
    rng = random.Random(args.seed)
    gen = AnalysisGenerator(args.seed, agency_ids)

    # Persons: what the analyst of each agency sees needs to be known for the path chains.
    person_ids, person_owner, person_dist, person_protected = [], [], [], []
    start = time.perf_counter()
    with deferred_indexes() as rebuild:
        done = 0
        while done < args.persons:
            size = min(args.batch, args.persons - done)
            owner = rng.choices(list(agencies.values()), rb.AGENCY_WEIGHTS)[0]
            rows = [gen.person(owner.pk) for _ in range(size)]
            report = load_persons(rows, owner, reference="analysis benchmark", is_synthetic=True, batch_size=args.batch)
            person_ids.extend(report.person_ids)
            person_owner.extend([owner.pk] * size)
            person_dist.extend(r["distribution"] for r in rows)
            person_protected.extend(bool(r.get("protection")) for r in rows)
            done += size
            if done % (args.batch * 10) == 0 or done == args.persons:
                log(f"  {done:>9,} persons loaded, {done / (time.perf_counter() - start):,.0f}/s")
        log(f"persons loaded ({len(person_ids):,})", start)

        start = time.perf_counter()
        # Markings the loader does not take: TLP per distribution, a few retractions. One pass per table.
        with connection.cursor() as cursor:
            for table in ("registry_person", "registry_identifier", "registry_relationship"):
                cursor.execute(f"""
                    UPDATE {table} SET
                      tlp = CASE WHEN distribution = 'public' THEN 'CLEAR'
                                 WHEN distribution = 'members' AND id % 3 = 0 THEN 'GREEN'
                                 WHEN distribution IN ('owner', 'shared') AND id % 10 = 0 THEN 'RED'
                                 ELSE tlp END,
                      retracted_at = CASE WHEN id % 500 = 7 THEN now() ELSE retracted_at END
                    WHERE distribution = 'public' OR (distribution = 'members' AND id % 3 = 0)
                       OR (distribution IN ('owner', 'shared') AND id % 10 = 0) OR id % 500 = 7""")
        log("markings set (TLP, retractions)", start)

        # Person–person links, marked on their own.
        start = time.perf_counter()
        n = len(person_ids)
        rels, shares = [], []
        kinds = (["associate_of", "family_of", "related_to", "member_of"], [60, 15, 20, 5])
        for _ in range(args.links):
            i, j = rng.randrange(n), rng.randrange(n)
            if i == j:
                continue
            owner_id = person_owner[i]
            distribution, tlp, share_with = marking(rng, agency_ids, owner_id)
            rels.append({"owner_id": owner_id, "distribution": distribution, "tlp": tlp, "is_synthetic": True,
                         "kind": rng.choices(*kinds)[0], "subject_type_id": ct[Person], "subject_id": person_ids[i],
                         "object_type_id": ct[Person], "object_id": person_ids[j],
                         "retracted_at": None, "_share": share_with})
            if len(rels) >= 50_000:
                shares += write_links(rels, ct)
                rels = []
        shares += write_links(rels, ct)
        copy_rows(Share, shares, reserve_ids=False)
        log(f"{args.links:,} person–person links", start)

        # The hub: one person with 5,000 links.
        start = time.perf_counter()
        mps = agencies[REPORT_OWNER]
        hub_report = load_persons([{
            "names": [{"full_name": "Bench Hub Zhang Wei", "kind": "primary"}, {"full_name": "张伟枢纽", "kind": "alias"}],
            "nationalities": ["CN"], "distribution": "members",
            "identifiers": [{"kind": "phone", "value": "+66 80 000 0001"}, {"kind": "telegram", "value": "@bench_hub"}],
        }], mps, reference="analysis benchmark hub", is_synthetic=True)
        hub_id = hub_report.person_ids[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM registry_identifier TABLESAMPLE SYSTEM (1) LIMIT %s", [args.hub_links * 3 // 10])
            hub_identifiers = [r[0] for r in cursor.fetchall()]
        hub_persons = rng.sample(person_ids, args.hub_links - len(hub_identifiers))
        rels = []
        for target_type, targets in ((ct[Person], hub_persons), (ct[Identifier], hub_identifiers)):
            for target in targets:
                distribution, tlp, share_with = marking(rng, agency_ids, mps.pk, [20, 67, 10, 3])
                kind = (rng.choice(("associate_of", "related_to", "family_of")) if target_type == ct[Person]
                        else rng.choice(("uses_phone", "holds_account", "uses_handle")))
                rels.append({"owner_id": mps.pk, "distribution": distribution, "tlp": tlp, "is_synthetic": True,
                             "kind": kind, "subject_type_id": ct[Person], "subject_id": hub_id,
                             "object_type_id": target_type, "object_id": target,
                             "retracted_at": dt.datetime.now(dt.timezone.utc) if rng.random() < 0.01 else None,
                             "_share": share_with})
        copy_rows(Share, write_links(rels, ct), reserve_ids=False)
        log(f"hub person {hub_id} with {len(rels):,} links", start)
    log(f"indexes rebuilt ({rebuild['rebuild_seconds']:.0f} s)")

    manifest = {"persons": len(person_ids), "hub": hub_id, "seed": args.seed, "built": time.strftime("%Y-%m-%d %H:%M")}
    partner = agencies[PARTNER]
    start = time.perf_counter()
    manifest["path_pairs"] = build_path_pairs(rng, ct, agencies, partner, person_ids, person_owner, person_dist,
                                              person_protected)
    log(f"{len(manifest['path_pairs'])} path pairs", start)
    start = time.perf_counter()
    manifest.update(build_places_and_events(args, rng, agencies, partner, person_ids, person_dist, person_protected))
    log(f"{args.sites:,} sites, {args.events:,} events, operations, report operation", start)

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_manifest (key text PRIMARY KEY, value jsonb)")
        cursor.execute("INSERT INTO bench_manifest VALUES ('analysis', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                       [json.dumps(manifest)])
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        manifest["database_size"] = cursor.fetchone()[0]
    log(f"VACUUM ANALYZE, database {manifest['database_size']}", start)
    log("build done", total_start)
    return manifest


def write_links(rels, ct):
    """COPY relationships; returns the Share rows of the shared ones (written by the caller)."""
    from liaison.registry.models import Relationship

    share_with = [r.pop("_share", []) for r in rels]
    ids = copy_rows(Relationship, rels)
    shares = []
    for rel_id, agencies in zip(ids, share_with):
        shares += share_rows(ct[Relationship], rel_id, agencies)
    return shares


def build_path_pairs(rng, ct, agencies, partner, person_ids, person_owner, person_dist, person_protected):
    """Chains of 3 and 4 links between persons the partner sees (members' records, not protected, not
    retracted), and chains blocked by a person the partner may not see. Returns [a, b, hops, blocked]."""
    from liaison.registry.models import Identifier, Person, Relationship

    def plain_member(i):
        pid = person_ids[i]
        return person_dist[i] == "members" and not person_protected[i] and pid % 500 != 7

    def pick(pred):
        while True:
            i = rng.randrange(len(person_ids))
            if pred(i):
                return i

    def hidden(i):
        return person_dist[i] == "owner" and person_owner[i] != partner.pk and not person_protected[i]

    def identifier_of(pid):
        """One of the person's identifiers that all members see, through a link all members see."""
        links = Relationship.objects.filter(subject_type_id=ct[Person], subject_id=pid, object_type_id=ct[Identifier],
                                            distribution="members", retracted_at__isnull=True)
        return (Identifier.objects.filter(pk__in=links.values("object_id"), distribution="members",
                                          retracted_at__isnull=True).values_list("pk", flat=True).first())

    def link(subject_i, kind, object_id, object_type=ct[Person]):
        return {"owner_id": person_owner[subject_i], "distribution": "members", "tlp": "GREEN", "is_synthetic": True,
                "kind": kind, "subject_type_id": ct[Person], "subject_id": person_ids[subject_i],
                "object_type_id": object_type, "object_id": object_id, "retracted_at": None}

    rels, pairs = [], []
    for hops, blocked, count in ((3, False, 20), (4, False, 20), (4, True, 10)):
        made = 0
        while made < count:
            a, b = pick(plain_member), pick(plain_member)
            p1 = pick(hidden if blocked else plain_member)
            if hops == 3:
                # a —associate— p1 —uses— phone —used by— b
                phone = identifier_of(person_ids[p1])
                if phone is None:
                    continue
                rels += [link(a, "associate_of", person_ids[p1]), link(b, "uses_phone", phone, ct[Identifier])]
            else:
                # a —uses— phone —used by— p1 —associate— p2 —family— b
                phone = identifier_of(person_ids[a])
                if phone is None:
                    continue
                p2 = pick(plain_member)
                rels += [link(p1, "uses_phone", phone, ct[Identifier]), link(p1, "associate_of", person_ids[p2]),
                         link(p2, "family_of", person_ids[b])]
            pairs.append([person_ids[a], person_ids[b], hops, blocked])
            made += 1
    copy_rows(Relationship, rels)
    return pairs


def random_point(rng, country=None):
    if country is None or rng.random() < 0.7:
        spots = [h for h in HOTSPOTS if country is None or h[3] == country]
        lat, lon, spread, cc, area, locality = rng.choice(spots)
        return (round(rng.gauss(lat, spread), 6), round(rng.gauss(lon, spread), 6), cc, area, locality)
    south, west, north, east = COUNTRY_BOXES[country]
    return (round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6), country, "", "")


def random_day(rng, first=dt.date(2019, 1, 1), last=dt.date(2025, 12, 31)):
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def partial(day, rng):
    roll = rng.random()
    return day.isoformat() if roll < 0.8 else (day.isoformat()[:7] if roll < 0.95 else day.isoformat()[:4])


def build_places_and_events(args, rng, agencies, partner, person_ids, person_dist, person_protected):
    from django.contrib.contenttypes.models import ContentType

    from liaison import names as nm
    from liaison.operations.models import Event, Figure, Operation, Phase
    from liaison.registry.models import Citation, Organisation, Site, Source
    from liaison.sharing.models import Share

    agency_ids = [a.pk for a in agencies.values()]
    by_country = {a.country_id: a.pk for a in agencies.values()}
    ct_site, ct_event, ct_op = (ContentType.objects.get_for_model(m).pk for m in (Site, Event, Operation))
    now = dt.datetime.now(dt.timezone.utc)
    shares = []

    def owner_for(country):
        return by_country.get(country) if rng.random() < 0.6 else rng.choice(agency_ids)

    def marked(owner_id, weights=RECORD_DISTRIBUTION_WEIGHTS):
        distribution, tlp, share_with = marking(rng, agency_ids, owner_id, weights)
        return {"owner_id": owner_id, "distribution": distribution, "tlp": tlp, "is_synthetic": True}, share_with

    # Sources and organisations.
    sources = []
    for i in range(args.sources):
        owner_id = rng.choice(agency_ids)
        sources.append({**marked(owner_id, [10, 50, 10, 30])[0], "title": f"Bench report {i}", "kind": rng.choice(
            ("news", "official", "police_report")), "published": random_day(rng).isoformat(), "reliability": "B"})
    for s in sources:  # sources are not shared by name here: no Share rows
        if s["distribution"] == "shared":
            s["distribution"] = "owner"
    source_ids = copy_rows(Source, sources)
    public_sources = [i for i, s in zip(source_ids, sources) if s["distribution"] in ("public", "members")]
    orgs = []
    for i in range(300):
        name = f"Bench group {i}"
        orgs.append({**marked(rng.choice(agency_ids))[0], "name": name, "kind": "crime_group",
                     "search_key": nm.search_key(name)})
    org_ids = copy_rows(Organisation, orgs)

    # Sites, with their status history.
    sites, site_shares = [], []
    countries = list(COUNTRY_BOXES)
    for i in range(args.sites):
        lat, lon, cc, area, locality = random_point(rng, rng.choice(countries))
        fields, share_with = marked(owner_for(cc))
        if rng.random() < 0.01:
            fields["retracted_at"] = now
        kind = rng.choices(*SITE_KINDS)[0]
        name = f"{locality or cc} {kind} {i}"
        status = rng.choices(*SITE_STATUSES)[0]
        sites.append({**fields, "name": name, "kind": kind, "country_id": cc, "admin_area": area, "locality": locality,
                      "latitude": lat, "longitude": lon, "status": status, "status_since": random_day(rng).isoformat(),
                      "operator_id": rng.choice(org_ids) if rng.random() < 0.3 else None,
                      "search_key": "\n".join(nm.search_key(n) for n in (name, locality) if n)})
        site_shares.append(share_with)
    site_ids = copy_rows(Site, sites)
    for site_id, share_with in zip(site_ids, site_shares):
        shares += share_rows(ct_site, site_id, share_with)
    history = []
    history_fields = {f.attname for f in Site.history.model._meta.concrete_fields}
    for site_id, site in zip(site_ids, sites):
        since = dt.date.fromisoformat(site["status_since"])
        steps = {"active": ["active"], "unknown": ["active", "unknown"], "raided": ["active", "raided"],
                 "closed": ["active", "raided", "closed"] if rng.random() < 0.6 else ["active", "closed"]}[site["status"]]
        for k, status in enumerate(steps):
            day = since - dt.timedelta(days=200 * (len(steps) - 1 - k))
            row = {key: value for key, value in site.items() if key in history_fields}
            history.append({**row, "id": site_id, "status": status, "status_since": day.isoformat(),
                            "history_date": (when := dt.datetime.combine(day, dt.time(12), dt.timezone.utc)),
                            "created_at": when, "updated_at": when,
                            "history_type": "+" if k == 0 else "~", "history_change_reason": None,
                            "history_user_id": None})
    copy_rows(Site.history.model, history, reserve_ids=False)

    # Operations and their phases.
    ops, op_phases = [], []
    for i in range(args.operations):
        owner_id = rng.choice(agency_ids)
        fields, share_with = marked(owner_id, [15, 70, 10, 5])
        year = rng.randint(2019, 2024)
        op = Operation.objects.create(**fields, name=f"Bench operation {i}", lead_agency_id=owner_id, start=str(year))
        op.countries.set(rng.sample(countries, 2))
        shares += share_rows(ct_op, op.pk, share_with)
        phases = [Phase.objects.create(operation=op, number=k + 1, start=f"{year + k // 2}-{1 + 6 * (k % 2):02d}")
                  for k in range(rng.randint(0, 4))]
        ops.append(op)
        op_phases.append(phases)

    # Events: most at a site, half in an operation.
    events, event_shares, event_sites = [], [], []
    for i in range(args.events):
        s = rng.randrange(len(site_ids)) if rng.random() < 0.75 else None
        cc = sites[s]["country_id"] if s is not None else rng.choice(countries)
        fields, share_with = marked(owner_for(cc))
        if rng.random() < 0.01:
            fields["retracted_at"] = now
        kind = rng.choices(*EVENT_KINDS)[0]
        row = {**fields, "kind": kind, "title": f"Bench {kind} {i}", "date": partial(random_day(rng), rng),
               "site_id": site_ids[s] if s is not None else None,
               "place": sites[s]["locality"] if s is not None else ""}
        if rng.random() < 0.5:
            k = rng.randrange(len(ops))
            row["operation_id"] = ops[k].pk
            if op_phases[k]:
                row["phase_id"] = rng.choice(op_phases[k]).pk
        events.append(row)
        event_shares.append(share_with)
        event_sites.append(cc)
    event_ids = copy_rows(Event, events)
    countries_rows = []
    for event_id, share_with, cc in zip(event_ids, event_shares, event_sites):
        shares += share_rows(ct_event, event_id, share_with)
        countries_rows.append({"event_id": event_id, "country_id": cc})
    copy_rows(Event.countries.through, countries_rows, reserve_ids=False)
    copy_rows(Share, shares, reserve_ids=False)

    # Figures (with qualifiers) and citations.
    figures, citations = [], []
    for event_id in event_ids:
        if rng.random() < 0.6:
            for category in rng.sample(FIGURE_CATEGORIES, rng.randint(1, 3)):
                figures.append({"event_id": event_id, "category": category,
                                "value": max(1, int(rng.lognormvariate(3.5, 1.6))),
                                "qualifier": rng.choices(*QUALIFIERS)[0]})
        if rng.random() < 0.2:
            citations.append({"source_id": rng.choice(source_ids),
                              "content_type_id": ct_event, "object_id": event_id,
                              "evidence": "The benchmark's quoted sentence that states this event.",
                              "location": f"p. {rng.randint(1, 12)}"})
    copy_rows(Figure, figures)
    copy_rows(Citation, citations)

    persons = [(pid, protected) for pid, protected in zip(person_ids, person_protected)]
    report = build_report_operation(args, rng, agencies, partner, site_ids, persons, public_sources)
    return {**report, "sites": len(site_ids), "events": len(event_ids) + args.report_events,
            "figures": len(figures), "citations": len(citations), "site_history_rows": len(history)}


def build_report_operation(args, rng, agencies, partner, site_ids, persons, source_ids, name="Bench Jingyao"):
    """The operation the report is measured on, owned by the CN agency, in three phases:
    ``--report-events`` events at sites (70 % for all members, the rest owner only, TLP:RED
    shared with KH, or shared with the operation, to which the partner analyst is assigned),
    each with one to three figures and a cited source; ``--report-persons`` participants with
    a status each (protected persons as victims). ``persons``: (id, protected) to draw from."""
    from django.contrib.contenttypes.models import ContentType

    from liaison.operations.models import Event, Figure, Operation, Participant, Phase
    from liaison.registry.models import Citation, PersonStatus
    from liaison.sharing.models import OperationAssignment, Share, User

    agency_ids = [a.pk for a in agencies.values()]
    by_country = {a.country_id: a.pk for a in agencies.values()}
    ct_event = ContentType.objects.get_for_model(Event).pk
    mps = agencies[REPORT_OWNER].pk
    op = Operation.objects.create(
        name=name, native_name="净瑶", owner_id=mps, distribution="members", tlp="GREEN", is_synthetic=True,
        lead_agency_id=mps, start="2023-01", crime_types=["telecom_fraud", "human_trafficking"],
        description="The benchmark's operation: events, figures and persons for a report of some twenty pages.")
    op.agencies.set(agency_ids)
    op.countries.set(["CN", "MM", "TH", "KH", "LA", "VN"])
    phases = [Phase.objects.create(operation=op, number=k + 1, name=f"{name} – phase {k + 1}",
                                   start=f"{2023 + k // 2}-{1 + 6 * (k % 2):02d}") for k in range(3)]
    partner_user = User.objects.get(username=f"bench_{partner.short_name.lower()}")
    OperationAssignment.objects.create(user=partner_user, operation=op)
    events, event_shares, event_countries = [], [], []
    for i in range(args.report_events):
        phase = phases[i * len(phases) // args.report_events]
        _lat, _lon, cc, _area, locality = random_point(rng, rng.choice(["MM", "MM", "KH", "KH", "TH", "LA"]))
        roll = rng.random()
        if roll < 0.70:
            fields, share_with = {"distribution": "members", "tlp": "GREEN"}, {}
        elif roll < 0.80:
            fields, share_with = {"distribution": "owner", "tlp": "AMBER"}, {}
        elif roll < 0.88:
            fields, share_with = {"distribution": "shared", "tlp": "RED"}, {"agency_id": by_country["KH"]}
        else:
            fields, share_with = {"distribution": "shared", "tlp": "AMBER"}, {"operation_id": op.pk}
        kind = rng.choices(*EVENT_KINDS)[0]
        day = dt.date(int(phase.start[:4]), int(phase.start[5:7]), 1) + dt.timedelta(days=rng.randrange(180))
        events.append({**fields, "owner_id": mps, "is_synthetic": True, "kind": kind,
                       "title": f"{name}: {kind} at {locality or cc} ({i})", "date": day.isoformat(),
                       "site_id": rng.choice(site_ids), "place": locality, "operation_id": op.pk, "phase_id": phase.pk,
                       "description": "A benchmark event of the report operation. " * 3})
        event_shares.append(share_with)
        event_countries.append(cc)
    event_ids = copy_rows(Event, events)
    copy_rows(Share, [{"content_type_id": ct_event, "object_id": e, **target}
                      for e, target in zip(event_ids, event_shares) if target], reserve_ids=False)
    copy_rows(Event.countries.through, [{"event_id": e, "country_id": cc} for e, cc in zip(event_ids, event_countries)],
              reserve_ids=False)
    figures, citations = [], []
    for event_id in event_ids:
        for category in rng.sample(FIGURE_CATEGORIES, rng.randint(1, 3)):
            figures.append({"event_id": event_id, "category": category, "value": max(1, int(rng.lognormvariate(3.5, 1.6))),
                            "qualifier": rng.choices(*QUALIFIERS)[0]})
        citations.append({"source_id": rng.choice(source_ids), "content_type_id": ct_event, "object_id": event_id,
                          "evidence": "The benchmark's quoted sentence that states this event.",
                          "location": f"p. {rng.randint(1, 12)}"})
    copy_rows(Figure, figures)
    copy_rows(Citation, citations)
    participants, statuses = [], []
    for n, (pid, protected) in enumerate(rng.sample(persons, args.report_persons)):
        k = n % len(event_ids)
        role = "victim" if protected else rng.choices(list(STATUS_FOR_ROLE), [60, 5, 25, 3, 7])[0]
        participants.append({"event_id": event_ids[k], "person_id": pid, "role": role})
        statuses.append({"person_id": pid, "status": rng.choice(STATUS_FOR_ROLE[role]), "date": events[k]["date"],
                         "event_id": event_ids[k], "country_id": event_countries[k]})
    copy_rows(Participant, participants)
    copy_rows(PersonStatus, statuses)
    return {"report_operation": op.pk, "report_phases": [p.pk for p in phases],
            "report_size": [args.report_events, args.report_persons]}


def add_report_operation(args, manifest):
    """``--add-report-operation``: another report operation of ``--report-events`` events and
    ``--report-persons`` persons in a database built earlier; the measures then use it."""
    from django.db import connection

    from liaison.registry.models import Site, Source
    from liaison.sharing.models import Agency

    agencies = {short: Agency.objects.get(short_name=short) for short, _cc in rb.AGENCIES}
    rng = random.Random(args.seed + 1000 + args.report_events)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, protection <> '' FROM registry_person TABLESAMPLE SYSTEM (1) LIMIT %s",
                       [args.report_persons * 5])
        persons = cursor.fetchall()
    site_ids = list(Site.objects.values_list("pk", flat=True))
    source_ids = list(Source.objects.filter(distribution__in=["members", "public"]).values_list("pk", flat=True))
    previous = manifest.get("report_operation")
    manifest.update(build_report_operation(args, rng, agencies, agencies[PARTNER], site_ids, persons, source_ids,
                                           name=f"Bench Jingyao {args.report_events}"))
    manifest.setdefault("earlier_report_operations", []).append(previous)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bench_manifest SET value = %s WHERE key = 'analysis'", [json.dumps(manifest)])
        cursor.execute("ANALYZE")
    log(f"report operation {manifest['report_operation']}: {args.report_events} events, {args.report_persons} persons")


# --------------------------------------------------------------------------- measuring


def timed(fn, args_list, warmup=3):
    """p50/p95/max in ms of ``fn(*args)``, plus what ``fn`` returned for the last call."""
    for args in args_list[:warmup]:
        fn(*args)
    times, result = [], None
    for args in args_list:
        start = time.perf_counter()
        result = fn(*args)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "n": len(times), "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 1), "max_ms": round(times[-1], 1),
    }, result


def find(module_name, function_name):
    """The function, or None with a message: the analysis parts are written apart from this script."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        print(f"  SKIPPED {module_name}.{function_name}: the module does not exist ({exc})")
        return None
    fn = getattr(module, function_name, None)
    if fn is None:
        print(f"  SKIPPED {module_name}.{function_name}: no such function")
    return fn


def viewport(rng, zoom, width_px=1024, height_px=768):
    """A (west, south, east, north) box a browser of that size shows at that zoom, centred somewhere in the region."""
    span_lon = width_px / 256 * 360 / 2 ** zoom
    span_lat = span_lon * height_px / width_px * math.cos(math.radians(16))
    spot = rng.choice(HOTSPOTS)
    if zoom <= 7 or rng.random() < 0.3:
        lat, lon = rng.uniform(REGION[0], REGION[2]), rng.uniform(REGION[1], REGION[3])
    else:
        lat, lon = rng.gauss(spot[0], spot[2] * 3), rng.gauss(spot[1], spot[2] * 3)
    return (round(lon - span_lon / 2, 5), round(lat - span_lat / 2, 5), round(lon + span_lon / 2, 5), round(lat + span_lat / 2, 5))


def measure(args, manifest):
    from liaison.sharing.models import User

    user = User.objects.select_related("agency").get(username=f"bench_{PARTNER.lower()}")
    rng = random.Random(args.seed + 7)
    out = {}
    wanted = set(args.only.split(",")) if args.only else {"map", "neighbourhood", "shortest_path", "report"}

    def guarded(part, fn):
        """One part failing (they are written apart from this script) must not stop the others."""
        if part not in wanted:
            return
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            import traceback

            where = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"  FAILED {part}: {type(exc).__name__}: {str(exc)[:300]} ({where.filename}:{where.lineno})")
            out[f"{part} FAILED"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}

    guarded("map", lambda: measure_map(args, manifest, user, rng, out))
    guarded("neighbourhood", lambda: measure_neighbourhood(args, manifest, user, out))
    guarded("shortest_path", lambda: measure_paths(args, manifest, user, out))
    guarded("report", lambda: measure_report(args, manifest, user, out))
    if args.without_protection:
        measure_without_protection(args, manifest, user, out, guarded)
    return out


def measure_without_protection(args, manifest, user, out, guarded):
    """The graph measures again with no protected identity in the registry: what the
    "protection follows the person" rule of ``filter_visible`` (withheld identifiers and
    links) costs every identifier and link query. The protections are cleared, committed and
    vacuumed (a rolled-back UPDATE would leave the tables without their visibility map and
    measure that instead), then put back; the ids are kept in ``bench_manifest`` first, so an
    interrupted run is repaired by the next one (``restore_protection``). Do not run it while
    someone else measures on the same database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""INSERT INTO bench_manifest
                          SELECT 'protected_backup', jsonb_agg(jsonb_build_array(id, protection))
                            FROM registry_person WHERE protection <> ''
                          ON CONFLICT (key) DO NOTHING""")
        cursor.execute("UPDATE registry_person SET protection = '' WHERE protection <> ''")
        log(f"without protection: {cursor.rowcount:,} protected persons made ordinary for a while")
        cursor.execute("VACUUM (ANALYZE) registry_person")
    before = dict(out)
    try:
        guarded("neighbourhood", lambda: measure_neighbourhood(args, manifest, user, out))
        guarded("shortest_path", lambda: measure_paths(args, manifest, user, out))
    finally:
        restore_protection()
    after = {key: value for key, value in out.items() if key not in before or value is not before[key]}
    out.clear()
    out.update(before)
    out.update({f"{key} [no protected persons]": value for key, value in after.items()})


def restore_protection():
    """Put back the protections ``measure_without_protection`` cleared (if it left any to restore)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_manifest WHERE key = 'protected_backup'")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("""UPDATE registry_person p SET protection = b.value ->> 1
                            FROM bench_manifest m, jsonb_array_elements(m.value) b(value)
                           WHERE m.key = 'protected_backup' AND p.id = (b.value ->> 0)::bigint""")
        log(f"protection restored on {cursor.rowcount:,} persons")
        cursor.execute("DELETE FROM bench_manifest WHERE key = 'protected_backup'")
        cursor.execute("VACUUM (ANALYZE) registry_person")


def measure_map(args, manifest, user, rng, out):
    map_features = find("liaison.analysis.map_views", "map_features")
    if map_features is None:
        return
    # The filters as the map page sends them (the data endpoint's parameters), zoom included.
    filter_sets = [
        ("site status active", {"status": ["active"]}),
        ("report operation", {"operation": manifest["report_operation"]}),
        ("raids in 2023", {"event_kind": ["raid"], "date_from": "2023-01-01", "date_to": "2023-12-31"}),
        ("time slider at 2023-06-30", {"at": "2023-06-30"}),
    ]
    everything = []

    def run(label, runs):
        try:
            stats, last = timed(map_features, runs)
        except Exception as exc:  # noqa: BLE001 - one filter failing must not hide the others
            print(f"  FAILED map {label}: {type(exc).__name__}: {str(exc)[:300]}")
            out[f"map {label} FAILED"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
            return
        out[f"map {label}"] = {**stats, "target": TARGETS_MS["map"], "last": describe(last)}
        everything.extend(runs)

    for zoom in MAP_ZOOMS:
        run(f"z{zoom}, no filter", [(user, viewport(rng, zoom), {"zoom": zoom}) for _ in range(args.reps)])
    for label, filters in filter_sets:
        zooms = [rng.choice(MAP_ZOOMS) for _ in range(args.reps)]
        run(label, [(user, viewport(rng, zoom), {**filters, "zoom": zoom}) for zoom in zooms])
    rng.shuffle(everything)
    if everything:
        out["map, all of the above mixed"] = {**timed(map_features, everything[: args.reps * 2])[0],
                                              "target": TARGETS_MS["map"]}


def measure_neighbourhood(args, manifest, user, out):
    from liaison.registry.models import Person

    if neighbourhood := find("liaison.analysis.graph_data", "neighbourhood"):
        graph = importlib.import_module("liaison.analysis.graph_data")
        hub = node_ref(graph, Person, manifest["hub"])
        runs = [()] * max(5, args.reps // 4)
        stats, last = timed(lambda: neighbourhood(user, hub, hops=2), runs)
        out["neighbourhood of the hub, 2 hops"] = {**stats, "target": TARGETS_MS["neighbourhood"], "last": describe(last)}
        stats, last = timed(lambda: neighbourhood(user, hub, hops=2, limit=1000, max_nodes=2000), runs[:5], warmup=1)
        out["  the same, limit 1,000, 2,000 nodes"] = {**stats, "last": describe(last)}
        ordinary = list(Person.objects.visible_to(user).filter(pk__in=[p[0] for p in manifest["path_pairs"]])
                        .values_list("pk", flat=True))[:20]
        stats, last = timed(lambda pk: neighbourhood(user, node_ref(graph, Person, pk), hops=2),
                            [(pk,) for pk in ordinary])
        out["neighbourhood of a person, 2 hops"] = {**stats, "last": describe(last)}



def measure_paths(args, manifest, user, out):
    from liaison.registry.models import Person

    if shortest_path := find("liaison.analysis.graph_data", "shortest_path"):
        graph = importlib.import_module("liaison.analysis.graph_data")
        for label, chosen in (("3 links apart", [p for p in manifest["path_pairs"] if p[2] == 3 and not p[3]]),
                              ("4 links apart", [p for p in manifest["path_pairs"] if p[2] == 4 and not p[3]]),
                              ("no visible path (hidden link)", [p for p in manifest["path_pairs"] if p[3]])):
            runs = [(node_ref(graph, Person, a), node_ref(graph, Person, b)) for a, b, *_ in chosen]
            lengths = []

            def one(a, b, lengths=lengths):
                path = shortest_path(user, a, b, max_hops=4)
                lengths.append(path_length(path))
                return path

            stats, last = timed(one, runs, warmup=2)
            found = [n for n in lengths[2:] if n is not None]
            out[f"shortest path, {label}"] = {**stats, "target": TARGETS_MS["shortest_path"],
                                              "found": f"{len(found)}/{len(runs)}", "lengths": sorted(set(found))}



def measure_report(args, manifest, user, out):
    from liaison.operations.models import Operation, Phase

    if render_pdf := find("liaison.analysis.report", "render_pdf"):
        from pypdf import PdfReader

        op = Operation.objects.get(pk=manifest["report_operation"])
        pages = {}

        def render(key, phase=None, language=None):
            kwargs = {"language": language} if language else {}
            data = render_pdf(user, op, phase=phase, **kwargs)
            pages[key] = len(PdfReader(io.BytesIO(data)).pages)
            return data

        reps = [()] * args.report_reps
        stats, _ = timed(lambda: render("whole"), reps, warmup=1)
        out["report PDF, whole operation (en)"] = {**stats, "target": TARGETS_MS["report"], "pages": pages["whole"]}
        phase = Phase.objects.get(pk=manifest["report_phases"][0])
        stats, _ = timed(lambda: render("phase", phase), reps, warmup=0)
        out["report PDF, phase 1 (en)"] = {**stats, "target": TARGETS_MS["report"], "pages": pages["phase"]}
        stats, _ = timed(lambda: render("th", language="th"), reps[:1], warmup=0)
        out["report PDF, whole operation (th)"] = {**stats, "target": TARGETS_MS["report"], "pages": pages["th"]}


def node_ref(graph, model, pk):
    """A node as graph_data names it ("person:12")."""
    return graph.key_of(model._meta.model_name, pk)


def path_length(result):
    """Links on the shortest path found, None if none."""
    return result.get("hops") if isinstance(result, dict) else None


def describe(result):
    """A few words on what a call returned (the size of the answer), for the table."""
    if result is None:
        return ""
    if hasattr(result, "as_json"):
        result = result.as_json()
    if isinstance(result, dict):
        parts = [f"{key} {len(value):,}" for key, value in result.items()
                 if isinstance(value, (list, dict)) and key not in ("bbox", "totals")]
        flags = [f"{key}" for key, value in result.items() if isinstance(value, bool) and value]
        if isinstance(result.get("totals"), dict):
            parts += [f"{key} {value:,}" for key, value in result["totals"].items()]
        return ", ".join(parts + flags)
    if isinstance(result, (list, tuple)):
        return f"{len(result):,} items"
    return type(result).__name__


def print_results(results):
    print(f"\nPostgreSQL {results['postgres']}, {results['manifest']['persons']:,} persons, "
          f"{results['manifest'].get('sites', 0):,} sites, {results['manifest'].get('events', 0):,} events; "
          f"as the analyst of {PARTNER}")
    print(f"{'measure':56} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'target p95':>12}  answer")
    for name, row in results["queries"].items():
        if "error" in row:
            print(f"{name:56} {row['error']}")
            continue
        target = row.get("target")
        flag = "" if target is None else f"< {target:,}" + (" ok" if row["p95_ms"] < target else " MISSED")
        extra = row.get("last") or ""
        if "pages" in row:
            extra = f"{row['pages']} pages"
        if "found" in row:
            extra = f"found {row['found']}, lengths {row['lengths']}"
        print(f"{name:56} {row['n']:>4} {row['p50_ms']:>9,} {row['p95_ms']:>9,} {row['max_ms']:>9,} {flag:>12}  {extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=300_000, help="random person–person links")
    parser.add_argument("--hub-links", type=int, default=5_000)
    parser.add_argument("--sites", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--sources", type=int, default=2_000)
    parser.add_argument("--operations", type=int, default=30)
    parser.add_argument("--report-events", type=int, default=60)
    parser.add_argument("--report-persons", type=int, default=120)
    parser.add_argument("--add-report-operation", action="store_true",
                        help="with --keep-data: add a report operation of --report-events/--report-persons and use it")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--reps", type=int, default=60, help="runs of each map measure (neighbourhood: a quarter)")
    parser.add_argument("--report-reps", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated: map,neighbourhood,shortest_path,report")
    parser.add_argument("--keep-data", action="store_true", help="reuse the database an earlier run built")
    parser.add_argument("--without-protection", action="store_true",
                        help="also measure the graph with no protected persons (cleared for a while, then restored: "
                             "nobody else may measure on the database meanwhile)")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/analysis_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL=postgres://…/analysis_bench")
    if urlsplit(url).path.lstrip("/") in rb.PROTECTED_DATABASES:
        sys.exit("Give the benchmark its own database, e.g. analysis_bench.")
    os.environ["DATABASE_URL"] = url if args.keep_data else rb.recreate_database(url)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args.keep_data:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM bench_manifest WHERE key = 'analysis'")
            row = cursor.fetchone()
        manifest = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        restore_protection()
        log(f"reusing the database built {manifest.get('built')}")
        if args.add_report_operation:
            add_report_operation(args, manifest)
    else:
        manifest = build(args)
    if args.build_only:
        return
    results = {"postgres": connection.cursor().connection.info.server_version, "manifest": manifest,
               "queries": measure(args, manifest)}
    print_results(results)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"analysis-{manifest['persons']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nJSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
