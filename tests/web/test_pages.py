"""Dashboard, search, lists and detail pages as an officer sees them."""
import pytest
from django.urls import reverse

from liaison.registry.models import PersonStatus
from tests.factories import login, make_person

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_pages_need_login(client, world):
    response = client.get(reverse("web:detail", args=["persons", world.guoping.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_dashboard_shows_figures_as_reported_and_counts_only_visible(as_mm, world):
    page = text(as_mm.get(reverse("web:dashboard")))
    assert "Jingyao" in page
    # Each event's own figures, with their qualifiers; never an invented sum.
    assert "more than 70,000 suspects" in page and "571 suspects" in page
    assert "70,571" not in page
    assert "160 victims" in page
    assert "Phase 1" in page and "Phase 2" in page
    assert "Handover at Muse" in page
    # Myanmar sees 3 of China's 4 persons (not the owner-only one).
    assert '<span class="n">3</span> <span>Persons</span>' in page


def test_dashboard_counts_stop_at_the_cap_and_say_so(as_mm, world, monkeypatch):
    # At a million persons an exact count held a web worker for minutes: the dashboard counts as the
    # lists do, up to a cap, and shows "cap+" beyond it (a count of visible records only).
    from liaison.web.views import pages

    monkeypatch.setattr(pages, "COUNT_CAP", 2)
    page = text(as_mm.get(reverse("web:dashboard")))
    assert '<span class="n">2+</span> <span>Persons</span>' in page
    monkeypatch.setattr(pages, "COUNT_CAP", 3)
    page = text(as_mm.get(reverse("web:dashboard")))
    assert '<span class="n">3</span> <span>Persons</span>' in page  # exactly the cap: no "+"


def test_search_finds_chinese_name_and_phone(as_cn, world):
    page = text(as_cn.get(reverse("web:search"), {"q": "明国平"}))
    assert reverse("web:detail", args=["persons", world.guoping.pk]) in page
    assert "明国平" in page
    page = text(as_cn.get(reverse("web:search"), {"q": "0086 138 0013 8000"}))
    assert reverse("web:detail", args=["identifiers", world.phone.pk]) in page


def test_search_without_results_suggests_what_to_try(as_cn, world):
    page = text(as_cn.get(reverse("web:search"), {"q": "Nobody Atall"}))
    assert "Nothing you can see matches" in page
    assert "another script" in page


def test_search_does_not_confirm_a_protected_name(as_mm, client, world):
    assert "Protected" not in text(as_mm.get(reverse("web:search"), {"q": "Victim Real"}))
    assert reverse("web:detail", args=["persons", world.victim.pk]) not in text(as_mm.get(reverse("web:search"), {"q": "Victim Real"}))
    login(client, world.cn_user)
    assert reverse("web:detail", args=["persons", world.victim.pk]) in text(client.get(reverse("web:search"), {"q": "Victim Real"}))


def test_person_list_filters_and_badges(as_cn, world):
    page = text(as_cn.get(reverse("web:list", args=["persons"])))
    assert "TLP:RED" in page and "tlp-red" in page and "synthetic" in page
    page = text(as_cn.get(reverse("web:list", args=["persons"]), {"name": "明"}))
    assert "Ming Guoping" in page and "Ming Xuechang" in page and "Owner Only Suspect" not in page
    page = text(as_cn.get(reverse("web:list", args=["persons"]), {"nationality": "KH"}))
    assert "Ming Guoping" in page and "Ming Xuechang" not in page
    # Current status is the latest: Ming Guoping was wanted, then taken into custody.
    assert "Ming Guoping" in text(as_cn.get(reverse("web:list", args=["persons"]), {"status": "in_custody"}))
    assert "Ming Guoping" not in text(as_cn.get(reverse("web:list", args=["persons"]), {"status": "wanted"}))


def test_person_list_withholds_protected_names_and_their_filter(as_mm, world):
    page = text(as_mm.get(reverse("web:list", args=["persons"])))
    assert "Protected identity" in page and "Victim Real Name" not in page
    page = text(as_mm.get(reverse("web:list", args=["persons"]), {"name": "Victim"}))
    assert "0 records" in page


def test_list_paginates_by_fifty(as_cn, world):
    for i in range(55):
        make_person(world.cn, f"Bulk {i:02d}")
    first = text(as_cn.get(reverse("web:list", args=["persons"]), {"name": "Bulk"}))
    assert "55 records" in first and "Page 1 of 2" in first and "Bulk 49" in first and "Bulk 50" not in first
    second = text(as_cn.get(reverse("web:list", args=["persons"]), {"name": "Bulk", "page": 2}))
    assert "Bulk 54" in second and "name=Bulk" in second


def test_event_filter_rejects_a_malformed_date(as_cn, world):
    page = text(as_cn.get(reverse("web:list", args=["events"]), {"date_from": "next week"}))
    assert "is not a date" in page


def test_event_filter_by_date_range(as_cn, world):
    page = text(as_cn.get(reverse("web:list", args=["events"]), {"date_from": "2023-12-01", "date_to": "2023-12-31"}))
    assert "Phase 1 arrests" in page and "Handover at Muse" not in page


def test_person_page_shows_names_nationalities_links_sources_history(as_cn, world):
    page = text(as_cn.get(reverse("web:detail", args=["persons", world.guoping.pk])))
    assert '<td class="name" dir="rtl" lang="ar">مينغ غوبينغ</td>' in page
    assert '<td class="name" dir="ltr" lang="zh">明国平</td>' in page
    assert "Revocation requested" in page and "November 2023" in page
    assert "MA1234567" in page
    assert "+8613800138000" in page
    assert "Keluarga Ming dari Kokang" in page and "reliability B" in page
    assert "Handover at Muse" in page and "Leader" in page
    assert "added name “明国平”" in page
    assert "In custody" in page and "18 Nov 2023" in page  # the month a word: never 11/18 or 18/11


def test_link_to_invisible_record_is_shown_without_its_content(as_mm, world):
    page = text(as_mm.get(reverse("web:detail", args=["persons", world.guoping.pk])))
    assert "a record you cannot see" in page
    assert "Owner Only Suspect" not in page


def test_protected_person_withheld_from_other_agency(as_mm, world):
    response = as_mm.get(reverse("web:detail", args=["persons", world.victim.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Protected identity — withheld by the owner agency" in page
    assert "Victim Real Name" not in page
    # Nor through the event it took part in.
    assert "Victim Real Name" not in text(as_mm.get(reverse("web:detail", args=["events", world.handover.pk])))


def test_owner_sees_protected_identity(as_cn, world):
    page = text(as_cn.get(reverse("web:detail", args=["persons", world.victim.pk])))
    assert "Victim Real Name" in page and "withheld" not in page


@pytest.mark.parametrize("suffix", ["", "edit/", "link/", "cite/"])
def test_invisible_record_is_404_everywhere(as_mm, world, suffix):
    response = as_mm.get(reverse("web:detail", args=["persons", world.secret.pk]) + suffix)
    assert response.status_code == 404
    assert "not shared with your agency" in text(response)
    assert "Owner Only Suspect" not in text(response)


def test_other_pages(as_cn, world):
    org = text(as_cn.get(reverse("web:detail", args=["organisations", world.family.pk])))
    assert "明家" in org and "Ming Guoping" in org and "Kokang compound 7" in org
    site = text(as_cn.get(reverse("web:detail", args=["sites", world.site.pk])))
    assert "Kokang SAZ" in site and "Ming family" in site and "Handover at Muse" in site
    ident = text(as_cn.get(reverse("web:detail", args=["identifiers", world.phone.pk])))
    assert "Who uses it" in ident and "Ming Guoping" in ident
    op = text(as_cn.get(reverse("web:detail", args=["operations", world.operation.pk])))
    assert "净尧" in op and "more than 70,000 suspects" in op and "70,571" not in op and "Thailand" in op
    event = text(as_cn.get(reverse("web:detail", args=["events", world.event.pk])))
    assert "more than 70,000 suspects" in event
    source = text(as_cn.get(reverse("web:detail", args=["sources", world.source.pk])))
    assert "Lebih dari 70.000" in source and "Ming Guoping" in source


def test_year_less_date_is_shown_without_inventing_a_year(as_cn, world):
    page = text(as_cn.get(reverse("web:detail", args=["events", world.handover.pk])))
    assert "(year unknown)" in page


def test_user_data_is_escaped(as_cn, world):
    make_person(world.cn, "<script>alert(1)</script>")
    page = text(as_cn.get(reverse("web:list", args=["persons"])))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_language_an_officer_chooses_is_kept_on_the_account(as_cn, world):
    """Chosen in the menu, the language follows the officer to other browsers
    (and to their e-mails and notices), not only this one's cookie."""
    as_cn.post(reverse("set_language"), {"language": "th", "next": "/"})
    world.cn_user.refresh_from_db()
    assert world.cn_user.preferred_language == "th"
    as_cn.cookies.clear()
    login(as_cn, world.cn_user)  # another browser: no language cookie
    page = text(as_cn.get(reverse("web:dashboard")))
    assert '<html lang="th" dir="ltr">' in page


def test_a_language_that_is_not_offered_is_refused(as_cn, world):
    as_cn.post(reverse("set_language"), {"language": "ar", "next": "/"})
    world.cn_user.refresh_from_db()
    assert world.cn_user.preferred_language != "ar"


def test_status_timeline_lists_every_status(as_cn, world):
    PersonStatus.objects.create(person=world.guoping, status="convicted", date="2024")
    page = text(as_cn.get(reverse("web:detail", args=["persons", world.guoping.pk])))
    assert page.index("Wanted") < page.index("In custody") < page.index("Convicted")
