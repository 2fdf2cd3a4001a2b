"""The map in the demo: sites of Jingyao's phase 1 with coordinates, raids and a
handover placed at them, and sites whose status changed over time (active → raided →
closed), so that the time slider has something to show.

All synthetic and marked TLP:GREEN (the phase 1 report stays TLP:GREEN), but not all
seen by everyone: the Tachileik raid is MM-MPF's, shared with CN-MPS only, and the
Sihanoukville target is CN-MPS's, shared with the Xishuangbanna bureau only. So
cn.analyst sees four sites on Jingyao's map, th.officer two. Each event cites its
owner's (synthetic) report, quoted verbatim.
"""
from decimal import Decimal

from liaison.core.models import TLP, Distribution
from liaison.operations.models import Event, Operation
from liaison.registry.models import Citation, Organisation, Site, Source
from liaison.sharing.models import Share

NOTE = "Synthetic demonstration record: a site or raid of Jingyao phase 1 for the map."

# owner, shared with (None: all member agencies), title, text
REPORTS = {
    "cn": ("CN-MPS", None, "CN-MPS raid log, Jingyao phase 1 (synthetic)",
           "Raid log (synthetic). On 20 October 2023 a joint team raided the Ming family compound in Laukkaing and "
           "handed 1,207 suspects to Chinese police. The compound was closed and its buildings sealed on 5 January 2024."),
    "mm": ("MM-MPF", ["CN-MPS"], "MM-MPF report on the Tachileik raid (synthetic)",
           "Report (synthetic). On 14 November 2023 police raided a riverside compound in Tachileik under Jingyao phase 1 "
           "and detained 86 foreign workers."),
    "th": ("TH-RTP", None, "TH-RTP handover record, Mae Sot (synthetic)",
           "Handover record (synthetic). On 2 December 2023, 254 foreign nationals rescued in Myawaddy crossed the "
           "Friendship Bridge to Mae Sot and were handed to their embassies."),
    "kh": ("CN-MPS", ["CN-YN-XSBN"], "CN-MPS note on the Sihanoukville target (synthetic)",
           "Case note (synthetic). On 10 December 2023 Cambodian police, acting on Chinese information, raided a tower "
           "in Sihanoukville used by a fraud group recruiting from Xishuangbanna."),
}

# key, report, name, kind, country, admin area, locality, lat, lon, [(status, since), ...] in the order entered
SITES = [
    ("ming", "cn", "Laukkaing – Ming family compound (synthetic)", Site.Kind.COMPOUND, "MM", "Shan State (Kokang SAZ)",
     "Laukkaing", "23.6925", "98.7590", [("active", "2021"), ("raided", "2023-10-20"), ("closed", "2024-01-05")]),
    ("tachileik", "mm", "Tachileik – riverside compound (synthetic)", Site.Kind.COMPOUND, "MM", "Shan State",
     "Tachileik", "20.4470", "99.8810", [("active", "2022"), ("raided", "2023-11-14")]),
    ("maesot", "th", "Mae Sot – Friendship Bridge crossing (synthetic)", Site.Kind.CROSSING, "TH", "Tak", "Mae Sot",
     "16.7008", "98.5133", [("active", "2019")]),
    ("sihanoukville", "kh", "Sihanoukville – tower on Ekareach Street (synthetic)", Site.Kind.COMPOUND, "KH",
     "Preah Sihanouk", "Sihanoukville", "10.6270", "103.5220", [("active", "2022"), ("raided", "2023-12-10")]),
]

# site, report, kind, title, date, sentence the citation quotes (its start)
EVENTS = [
    ("ming", "cn", Event.Kind.RAID, "Raid on the Ming family compound, Laukkaing (synthetic)", "2023-10-20",
     "On 20 October 2023"),
    ("ming", "cn", Event.Kind.SITE_CLOSURE, "Ming family compound closed and sealed (synthetic)", "2024-01-05",
     "The compound was closed"),
    ("tachileik", "mm", Event.Kind.RAID, "Raid on a riverside compound, Tachileik (synthetic)", "2023-11-14",
     "On 14 November 2023"),
    ("maesot", "th", Event.Kind.HANDOVER, "254 rescued foreign nationals handed over at Mae Sot (synthetic)",
     "2023-12-02", "On 2 December 2023"),
    ("sihanoukville", "kh", Event.Kind.RAID, "Raid on a tower in Sihanoukville (synthetic)", "2023-12-10",
     "On 10 December 2023"),
]


def _sentence(text, start):
    begin = text.index(start)
    return text[begin:text.index(". ", begin) + 1] if ". " in text[begin:] else text[begin:]


def load(agencies, users=None):
    operation = Operation.objects.filter(name="Jingyao").first()
    if operation is None:
        return None
    phase = operation.phases.get(number=1)
    marks, sources = {}, {}
    for key, (owner, shared_with, title, text) in REPORTS.items():
        marks[key] = ({"owner": agencies[owner], "distribution": Distribution.SHARED if shared_with else Distribution.MEMBERS,
                       "tlp": TLP.GREEN, "is_synthetic": True, "notes": NOTE}, shared_with or [])
        sources[key] = Source.objects.create(title=title, kind=Source.Kind.POLICE_REPORT, language="en", text=text,
                                             reference=f"{owner}-JY1-MAP-{key.upper()}",
                                             reliability=Source.Reliability.B, **marks[key][0])

    def share(record, key):
        for short in marks[key][1]:
            Share.objects.create(record=record, agency=agencies[short])

    for key in sources:
        share(sources[key], key)
    ming_family = Organisation.objects.filter(name="Ming family (Kokang)").first()
    sites = {}
    for key, report, name, kind, country, admin, locality, lat, lon, statuses in SITES:
        first_status, first_since = statuses[0]
        site = Site.objects.create(name=name, kind=kind, country_id=country, admin_area=admin, locality=locality,
                                   latitude=Decimal(lat), longitude=Decimal(lon), status=first_status,
                                   status_since=first_since, operator=ming_family if key == "ming" else None,
                                   **marks[report][0])
        # Each later status as a new version, as an officer would enter it: the map's
        # time slider reads the site's history.
        for value, since in statuses[1:]:
            site.status, site.status_since = value, since
            site.save()
        share(site, report)
        sites[key] = site
    for site_key, report, kind, title, date, start in EVENTS:
        site = sites[site_key]
        event = Event.objects.create(kind=kind, title=title, date=date, place=site.locality, site=site,
                                     operation=operation, phase=phase, **marks[report][0])
        event.countries.set([site.country])
        Citation.objects.create(source=sources[report], record=event, evidence=_sentence(sources[report].text, start),
                                location=sources[report].reference)
        share(event, report)
    return sites
