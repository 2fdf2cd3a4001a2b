"""The map page and its data (liaison/analysis/map_views.py), as three agencies.

The attacks: an officer of another agency (TH) must not learn of a site they may not
see from the map's data, its cluster counts, its time slider, a filter by an operation
they may not see, or an event placed at such a site's coordinates; retracted sites are
gone for everyone but their owner's history.
"""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from liaison.analysis import geo, map_views
from liaison.operations.models import Event, Operation, Phase
from liaison.registry.models import Site
from liaison.sharing.models import Share
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db

BOX = "95,5,110,30"


def site(owner, name, lat, lon, **kwargs):
    kwargs.setdefault("distribution", "members")
    kwargs.setdefault("tlp", "GREEN")
    return Site.objects.create(owner=owner, name=name, country_id=kwargs.pop("country", "MM"), latitude=lat, longitude=lon,
                               is_synthetic=True, **kwargs)


def event(owner, title, at_site, **kwargs):
    kwargs.setdefault("distribution", "members")
    kwargs.setdefault("tlp", "GREEN")
    return Event.objects.create(owner=owner, title=title, kind=kwargs.pop("kind", "raid"), site=at_site,
                                is_synthetic=True, **kwargs)


@pytest.fixture
def w():
    cn, th = make_agency("CN-X", "CN"), make_agency("TH-X", "TH")
    op = Operation.objects.create(owner=cn, name="Jingyao", distribution="members", tlp="GREEN")
    phase1 = Phase.objects.create(operation=op, number=1)
    secret_op = Operation.objects.create(owner=cn, name="Operation Nightjar")  # owner only
    secret_phase = Phase.objects.create(operation=secret_op, number=1)
    shared = site(cn, "Laukkaing compound", 23.6925, 98.759, status="raided")
    # Two metres from the shared one (same cluster at any zoom but the last): CN only, AMBER.
    amber = site(cn, "Amber den", 23.69252, 98.75902, distribution="owner", tlp="AMBER", status="active",
                 status_since="2015")
    retracted = site(cn, "Retracted casino", 23.6926, 98.7591, status="closed", retracted_at=timezone.now())
    th_own = site(th, "Mae Sot crossing", 16.7008, 98.5133, kind="crossing", country="TH")
    nightjar_site = site(cn, "Tachileik compound", 20.447, 99.881)  # visible, but tied only to the secret operation
    no_coordinates = site(cn, "Somewhere in Shan State", None, None)
    raid = event(cn, "Raid on the Laukkaing compound", shared, operation=op, phase=phase1, date="2023-10-20")
    event(cn, "Raid on the Amber den", amber, operation=op, phase=phase1, date="2023-10-21")  # members: TH sees it
    event(cn, "Nightjar raid", nightjar_site, operation=secret_op, phase=secret_phase, distribution="owner", tlp="AMBER")
    # A visible operation, tied to the visible Tachileik site by an event TH may not see.
    event(cn, "Hidden Jingyao follow-up", nightjar_site, operation=op, phase=phase1, distribution="owner", tlp="AMBER")
    handover = event(th, "Handover at Mae Sot", th_own, kind="handover", date="2023-12-02")
    return dict(cn=cn, th=th, op=op, phase1=phase1, secret_op=secret_op, secret_phase=secret_phase, shared=shared,
                amber=amber, retracted=retracted, th_own=th_own, nightjar_site=nightjar_site,
                no_coordinates=no_coordinates, raid=raid, handover=handover,
                cn_user=make_user(cn), th_user=make_user(th))


def data(user, **params):
    params.setdefault("bbox", BOX)
    response = login(Client(), user).get("/analysis/map/data", params)
    return response


def ids(body, kind):
    return {f["properties"]["id"] for f in body["features"] if f["properties"]["type"] == kind}


def test_each_agency_gets_the_sites_and_events_it_may_see_and_nothing_else(w):
    th = data(w["th_user"]).json()
    assert th["type"] == "FeatureCollection" and not th["clustered"]
    assert ids(th, "site") == {w["shared"].pk, w["th_own"].pk, w["nightjar_site"].pk}
    # The event at the AMBER den is visible to TH (members), its site is not: placing it
    # would show where the den is. It is left off the map.
    assert ids(th, "event") == {w["raid"].pk, w["handover"].pk}
    text = str(th)
    for hidden in ("Amber den", "Retracted casino", "Nightjar raid", "Hidden Jingyao", "Raid on the Amber den"):
        assert hidden not in text
    assert th["totals"] == {"sites": 3, "events": 2}
    cn = data(w["cn_user"]).json()
    assert ids(cn, "site") == {w["shared"].pk, w["amber"].pk, w["th_own"].pk, w["nightjar_site"].pk}
    assert "Retracted casino" not in str(cn)  # withdrawn: on nobody's map, its owner's included
    site_feature = next(f for f in cn["features"] if f["properties"]["id"] == w["shared"].pk)
    assert site_feature["geometry"]["coordinates"] == [98.759, 23.6925]
    assert site_feature["properties"]["status"] == "raided" and site_feature["properties"]["tlp"] == "TLP:GREEN"
    assert site_feature["properties"]["url"] == f"/sites/{w['shared'].pk}/"


def test_cluster_counts_leave_out_the_sites_a_reader_may_not_see(w, monkeypatch):
    monkeypatch.setattr(geo, "MAX_POINTS", 0)  # cluster whatever the number
    th = data(w["th_user"], zoom="6").json()
    assert th["clustered"]
    laukkaing = next(f["properties"] for f in th["features"] if 23 < f["geometry"]["coordinates"][1] < 24)
    # One visible site and its one located event; not the AMBER den two metres away, nor the retracted casino.
    assert (laukkaing["count"], laukkaing["sites"], laukkaing["events"]) == (2, 1, 1)
    assert laukkaing["statuses"] == {"raided": 1}
    assert laukkaing["event_kinds"] == {"raid": 1}
    assert sum(f["properties"]["count"] for f in th["features"]) == 5
    cn = data(w["cn_user"], zoom="6").json()
    laukkaing = next(f["properties"] for f in cn["features"] if 23 < f["geometry"]["coordinates"][1] < 24)
    assert (laukkaing["sites"], laukkaing["statuses"]) == (2, {"raided": 1, "active": 1})


def test_filtering_by_an_operation_the_reader_may_not_see_answers_like_one_that_does_not_exist(w):
    secret = data(w["th_user"], operation=w["secret_op"].pk).json()
    missing = data(w["th_user"], operation=999_999).json()
    assert secret == missing
    assert secret["features"] == [] and secret["totals"] == {"sites": 0, "events": 0}
    assert data(w["th_user"], phase=w["secret_phase"].pk).json() == missing
    # Its owner sees the operation's site.
    assert ids(data(w["cn_user"], operation=w["secret_op"].pk).json(), "site") == {w["nightjar_site"].pk}


def test_an_operation_shows_only_the_sites_its_visible_events_tie_to_it(w):
    th = data(w["th_user"], operation=w["op"].pk).json()
    # Tachileik is tied to Jingyao by an event TH may not see: not on TH's Jingyao map.
    assert ids(th, "site") == {w["shared"].pk}
    assert ids(th, "event") == {w["raid"].pk}
    assert ids(data(w["th_user"], phase=w["phase1"].pk).json(), "site") == {w["shared"].pk}
    cn = data(w["cn_user"], operation=w["op"].pk).json()
    assert ids(cn, "site") == {w["shared"].pk, w["amber"].pk, w["nightjar_site"].pk}


def test_filters_by_status_kind_event_type_date_and_layer(w):
    th = w["th_user"]
    raided = data(th, status="raided").json()
    assert ids(raided, "site") == {w["shared"].pk}
    assert ids(raided, "event") == {w["raid"].pk}  # only the events at the sites shown
    crossings = data(th, kind="crossing").json()
    assert ids(crossings, "site") == {w["th_own"].pk} and ids(crossings, "event") == {w["handover"].pk}
    assert ids(data(th, event_kind="handover").json(), "event") == {w["handover"].pk}
    assert ids(data(th, date_from="2023-11").json(), "event") == {w["handover"].pk}
    assert ids(data(th, date_to="2023-10").json(), "event") == {w["raid"].pk}
    only_events = data(th, show="events").json()
    assert ids(only_events, "site") == set() and only_events["totals"]["sites"] == 0
    # A smaller box: only what lies in it.
    assert ids(data(th, bbox="98,16,99,17").json(), "site") == {w["th_own"].pk}
    # Sites the reader may see that have no coordinates are counted, not placed.
    assert data(w["cn_user"]).json()["unlocated_sites"] == 1
    assert data(th).json()["unlocated_sites"] == 1  # members: TH may see it too


def test_the_time_slider_shows_each_sites_status_on_that_day_from_its_history(w):
    s = w["shared"]
    s.status, s.status_since = "active", "2021"
    s.save()
    s.status, s.status_since = "raided", "2023-10-20"
    s.save()
    s.status, s.status_since = "closed", "2024-01-05"
    s.save()
    s.name = "Laukkaing compound (renamed)"  # an edit that leaves the status alone
    s.save()

    def status_on(day):
        body = data(w["th_user"], at=day).json()
        return next(f["properties"]["status"] for f in body["features"] if f["properties"]["id"] == s.pk)

    assert status_on("2020-06-01") == "none"
    assert status_on("2021-01-01") == "active"
    assert status_on("2023-10-19") == "active"
    assert status_on("2023-10-20") == "raided"
    assert status_on("2024-01-04") == "raided"
    assert status_on("2024-02-01") == "closed"
    # Events up to that day only.
    assert ids(data(w["th_user"], at="2023-11-01").json(), "event") == {w["raid"].pk}
    assert ids(data(w["th_user"], at="2023-11-01", status="raided").json(), "site") == {s.pk}
    assert s.pk in ids(data(w["th_user"], at="2020-01-01", status="none").json(), "site")


@pytest.mark.parametrize("zoom", ["6", "10"])  # zoomed out: all versions read at once; in: those of the box's sites
def test_cluster_counts_on_the_sliders_day_read_the_same_history(w, monkeypatch, zoom):
    s = w["shared"]
    for status, since in (("active", "2021"), ("raided", "2023-10-20"), ("closed", "2024-01-05")):
        s.status, s.status_since = status, since
        s.save()
    monkeypatch.setattr(geo, "MAX_POINTS", 0)

    def laukkaing(**params):
        body = data(w["th_user"], zoom=zoom, **params).json()
        assert body["clustered"] or not body["features"]
        return next((f["properties"] for f in body["features"] if 23 < f["geometry"]["coordinates"][1] < 24), None)

    assert laukkaing(at="2023-11-01")["statuses"] == {"raided": 1}
    assert laukkaing(at="2022-01-01")["statuses"] == {"active": 1}
    assert laukkaing(at="2020-01-01")["statuses"] == {"none": 1}
    assert laukkaing(at="2023-11-01", status="raided")["sites"] == 1
    assert laukkaing(at="2024-02-01", status="raided") is None
    assert laukkaing(at="2020-01-01", status="none")["sites"] == 1
    # The AMBER den next door has a history too; TH's counts never include it.
    assert laukkaing(at="2024-02-01")["sites"] == 1


def test_a_later_correction_of_the_since_date_wins(w):
    s = w["th_own"]
    # Entered as "active" (no date), then corrected: raided since long before.
    s.status, s.status_since = "raided", "2022-03"
    s.save()
    body = data(w["th_user"], at=timezone.now().date().isoformat()).json()
    assert next(f["properties"]["status"] for f in body["features"] if f["properties"]["id"] == s.pk) == "raided"


@pytest.mark.parametrize("params, words", [
    ({"bbox": "1,2,3"}, "four numbers"),
    ({"bbox": "0,10,10,5"}, "south edge"),
    ({"bbox": ""}, "Say which part"),
    ({"zoom": "x"}, "zoom level"),
    ({"at": "18/11/2023"}, "Date on the time slider"),
    ({"date_from": "last year"}, "Events from"),
    ({"date_to": "--11-18"}, "Events until"),
    ({"status": "burnt"}, "Site status"),
    ({"operation": "Jingyao"}, "Operation"),
])
def test_a_wrong_request_gets_a_clear_400_naming_the_field_as_the_form_does(w, params, words):
    response = data(w["th_user"], **params)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert "date_from" not in response.json()["error"]


def test_the_error_is_written_in_the_readers_language(w):
    user = w["th_user"]
    user.preferred_language = "fr"
    user.save()
    message = data(user, bbox="0,10,10,5").json()["error"]
    with translation.override("fr"):
        assert message == translation.gettext("The south edge of the map area is north of its north edge.")


def test_the_page_lists_only_visible_operations_and_focuses_as_asked(w):
    client = login(Client(), w["th_user"])
    page = client.get("/analysis/map/").content.decode()
    assert "Jingyao" in page and "Operation Nightjar" not in page
    assert 'data-url="/analysis/map/data"' in page and "countries-50m.json" in page and "admin1-sea.topo.json" in page
    assert 'id="map-texts"' in page  # the words the script shows, translated by the server
    # From the operation page: the view fits the operation's visible sites.
    deep = client.get("/analysis/map/", {"operation": w["op"].pk}).content.decode()
    view = [float(v) for v in deep.split('data-view="')[1].split('"')[0].split(",")]
    assert view[0] < 98.759 < view[2] and view[1] < 23.6925 < view[3]
    assert view[2] - view[0] < 5  # near Laukkaing, not the whole region
    # From a site page: the site, but only one the reader may see.
    assert f'data-focus="{w["shared"].pk}"' in client.get("/analysis/map/", {"site": w["shared"].pk}).content.decode()
    hidden = client.get("/analysis/map/", {"site": w["amber"].pk}).content.decode()
    assert 'data-focus=""' in hidden and "Amber den" not in hidden
    assert hidden.split('data-view="')[1].split('"')[0] == ",".join(str(v) for v in geo.REGION)


def test_the_time_slider_starts_at_the_first_date_the_reader_may_see(w):
    # The AMBER den's "active since 2015" is CN's: TH's slider does not start in 2015.
    th_page = login(Client(), w["th_user"]).get("/analysis/map/").content.decode()
    cn_page = login(Client(), w["cn_user"]).get("/analysis/map/").content.decode()
    assert 'data-first="2015-01-01"' in cn_page
    assert 'data-first="2015' not in th_page and 'data-first="2023-10-20"' in th_page


def test_entry_points_from_the_operation_and_site_pages(w):
    client = login(Client(), w["th_user"])
    assert f'/analysis/map/?operation={w["op"].pk}' in client.get(f"/operations/{w['op'].pk}/").content.decode()
    assert f'/analysis/map/?site={w["shared"].pk}' in client.get(f"/sites/{w['shared'].pk}/").content.decode()
    assert "/analysis/map/" in client.get("/analysis/").content.decode()


def test_the_data_costs_the_same_few_queries_however_many_sites(w, monkeypatch):
    for i in range(40):
        site(w["cn"], f"Block {i}", 23 + i / 100, 98 + i / 100)
    client = login(Client(), w["cn_user"])
    client.get("/analysis/map/data", {"bbox": BOX})
    with CaptureQueriesContext(connection) as few:
        assert client.get("/analysis/map/data", {"bbox": BOX}).json()["totals"]["sites"] == 44
    monkeypatch.setattr(geo, "MAX_POINTS", 10)
    with CaptureQueriesContext(connection) as clustered:
        body = map_views.map_features(w["cn_user"], BOX, {"zoom": "5"})
    assert body["clustered"] and body["totals"]["sites"] == 44
    # Session, user, second factor and agency; then one grouped count per layer, the
    # points of each layer and the count of sites without coordinates.
    assert len(few) <= 10
    assert len(clustered) <= 6


def test_map_features_is_callable_without_a_request(w):
    body = map_views.map_features(w["th_user"], geo.BBox(95, 5, 110, 30), map_views.MapFilters())
    assert ids(body, "site") == {w["shared"].pk, w["th_own"].pk, w["nightjar_site"].pk}
    assert map_views.map_features(w["th_user"], (95, 5, 110, 30), {"status": ["raided"]})["totals"]["sites"] == 1


def test_signed_out_visitors_are_sent_to_the_login(w):
    assert Client().get("/analysis/map/data", {"bbox": BOX}).status_code == 302
    assert Client().get("/analysis/map/").status_code == 302


def test_a_share_to_the_reader_puts_the_site_on_their_map(w):
    Share.objects.create(record=w["amber"], agency=w["th"])
    w["amber"].distribution = "shared"
    w["amber"].save()
    assert w["amber"].pk in ids(data(w["th_user"]).json(), "site")
