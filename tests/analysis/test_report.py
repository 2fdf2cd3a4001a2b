"""The operation report (PDF): marked on every page, in the reader's language,
holding only what the reader may see, audited. PDF renders cost ~1 s each, so
the PDF tests are few; the rules are tested on ``report.build`` (no PDF)."""
import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from liaison.analysis import report
from liaison.audit.models import AuditEntry
from liaison.core.models import TLP
from liaison.demo import agencies as demo_agencies
from liaison.demo import demo_report, story
from liaison.operations.models import Event, Figure, Operation, Participant
from liaison.registry.models import PersonStatus
from liaison.sharing.models import Share
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

CN_ONLY = "Xishuangbanna police question"  # demo_report: CN-MPS, TLP:GREEN, shared with CN-YN-XSBN only
AMBER_MARK = "Qelvor compound night raid"
VICTIM = "Zyndra Paloque"
RETRACTED = "Withdrawn Brastic sweep"


@pytest.fixture
def jy():
    """The seed story's Jingyao with the demo's CN-only phase 1 follow-up (no synthetic bulk: fast)."""
    agencies = demo_agencies.ensure_agencies()
    users = demo_agencies.ensure_users(agencies)
    story.load_story(agencies)
    demo_report.load(agencies)
    op = Operation.objects.get(name="Jingyao")
    return dict(a=agencies, u=users, op=op, phase1=op.phases.get(number=1))


def pages_of(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(pages):
    return " ".join(" ".join(pages).split())


def _bare(text):
    import unicodedata

    text = text.replace("\u0e33", "\u0e32")
    return "".join(c for c in text if unicodedata.category(c) != "Mn" and not c.isspace())


def test_cn_analyst_phase_1_report_is_green_on_every_page_and_th_officer_gets_less_in_thai(jy):
    cn, th = jy["u"]["cn.analyst"], jy["u"]["th.officer"]
    pages = pages_of(report.render_pdf(cn, jy["op"], jy["phase1"], language="en"))
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        # Header and footer of every page: marking, handling code, page x of n.
        assert text.count("TLP:GREEN") >= 2, number
        assert "H0" in text
        assert f"page {number} of {len(pages)}" in text
        assert "cn.analyst" in text  # who made it
    text = flat(pages)
    assert "Jingyao – phase 1" in text and "more than 70,000 suspects" in text
    assert CN_ONLY in text and "赵文" in text  # the CN-only event, its suspect by status
    assert "Detained" in text and "Persons by status" in text
    assert "Tahap pertama berhasil" in text  # the event's source, quoted

    th_pages = pages_of(report.render_pdf(th, jy["op"], jy["phase1"], language="th"))
    th_text = flat(th_pages)
    assert all(page.count("TLP:GREEN") >= 2 for page in th_pages)
    assert CN_ONLY not in th_text and "赵文" not in th_text and "Zhao" not in th_text
    assert "CN-MPS case note" not in th_text
    assert "70,000" in th_text  # what TH may see is there
    english = ("Figures", "Events", "Cases", "Sources cited")
    with translation.override("th"):
        headings = [translation.gettext(h) for h in english]
    assert not set(headings) & set(english)  # the Thai catalogue has them
    for heading in headings:
        # Text taken back out of a PDF loses Thai marks above and below the line (ำ comes back as า):
        # compare without them.
        assert _bare(heading) in _bare(th_text), heading
    assert "Sources cited" not in th_text and "No cases you can see" not in th_text


@pytest.fixture
def marked(jy):
    """Marker attack world: CN-MPS puts into Jingyao phase 1 an AMBER event (owner
    only), a protected victim shared with every member without her identity, and
    a retracted event."""
    cn_mps = jy["a"]["CN-MPS"]
    amber = Event.objects.create(owner=cn_mps, kind="raid", title=AMBER_MARK, operation=jy["op"], phase=jy["phase1"],
                                 distribution="owner", tlp=TLP.AMBER, handling="H2", place="Laukkaing")
    Figure.objects.create(event=amber, category="victims", value=41)
    victim = make_person(cn_mps, VICTIM, distribution="members", tlp=TLP.GREEN, protection="victim")
    PersonStatus.objects.create(person=victim, status="rescued", note=f"{VICTIM} found in block C")
    public_event = Event.objects.get(title="Jingyao phase 1 results")
    Participant.objects.create(event=public_event, person=victim, role="victim", note=f"{VICTIM}, 17")
    gone = Event.objects.create(owner=cn_mps, kind="raid", title=RETRACTED, operation=jy["op"], phase=jy["phase1"],
                                distribution="members", tlp=TLP.GREEN)
    from django.utils import timezone

    Event.objects.filter(pk=gone.pk).update(retracted_at=timezone.now())
    return dict(jy, victim=victim, amber=amber)


def test_marker_attack_th_officer_pdf_omits_what_only_cn_may_see(marked):
    cn, th = marked["u"]["cn.analyst"], marked["u"]["th.officer"]
    cn_pages = pages_of(report.render_pdf(cn, marked["op"], marked["phase1"], language="en"))
    th_pages = pages_of(report.render_pdf(th, marked["op"], marked["phase1"], language="en"))
    cn_text, th_text = flat(cn_pages), flat(th_pages)
    # The owner's reader: the AMBER event and the victim's name are in, and the
    # whole report is marked by its most restrictive item on every page.
    assert AMBER_MARK in cn_text and VICTIM in cn_text
    assert all("TLP:AMBER" in page and "TLP:GREEN" not in page.split("\n")[0] for page in cn_pages)
    assert "H2" in cn_pages[0]
    # TH: no AMBER event, no figure of it, no victim's name (nor the note naming her).
    assert AMBER_MARK not in th_text and "Laukkaing" not in th_text and "41 victims" not in th_text
    assert VICTIM not in th_text and "Zyndra" not in th_text
    assert "Protected identity" in th_text and "Rescued" in th_text  # she is there, unnamed, with her status
    assert all("TLP:GREEN" in page and "TLP:AMBER" not in page for page in th_pages)
    # A retracted record is printed for nobody, its owner included.
    assert RETRACTED not in cn_text and RETRACTED not in th_text
    # Showing her identity to CN is in the access log; TH read nothing protected.
    assert AuditEntry.objects.filter(action="read_protected", record_id=marked["victim"].pk, actor=cn).count() == 1
    assert not AuditEntry.objects.filter(action="read_protected", actor=th).exists()


def test_report_marking_is_the_highest_item_and_max_tlp_leaves_out_what_is_above(marked):
    cn = marked["u"]["cn.analyst"]
    full = report.build(cn, marked["op"], marked["phase1"])
    assert full.tlp == TLP.AMBER and full.handling == "H2"
    green = report.build(cn, marked["op"], marked["phase1"], max_tlp=TLP.GREEN)
    titles = [line.event.title for line in green.events]
    assert AMBER_MARK not in titles and green.tlp == TLP.GREEN and green.handling == "H0"
    # ...in the chart's rows and the timeline too, not only in the event list.
    assert marked["amber"].pk not in {row["event_id"] for row in green.figure_rows}
    assert all(getattr(item.record, "pk", None) != marked["amber"].pk for item in green.timeline)
    with pytest.raises(report.ReportNotAllowed):  # Jingyao itself is GREEN
        report.build(cn, marked["op"], max_tlp=TLP.CLEAR)


def test_public_version_has_public_figures_and_no_person(marked):
    cn = marked["u"]["cn.analyst"]
    pages = pages_of(report.render_pdf(cn, marked["op"], marked["phase1"], public=True, language="en"))
    text = flat(pages)
    assert all("TLP:CLEAR" in page for page in pages)
    assert "more than 70,000 suspects" in text
    assert "Public version" in text
    for secret in (VICTIM, "Protected identity", "赵文", CN_ONLY, AMBER_MARK, "Persons by status", "cn.analyst", "Li Na"):
        assert secret not in text
    # Jingyao is members-only: a public report does not name it as an operation.
    built = report.build(cn, marked["op"], marked["phase1"], public=True)
    assert not built.operation_named and built.tlp == TLP.CLEAR and not built.persons_by_status


def test_limits_count_only_what_the_reader_may_see(jy, monkeypatch):
    th = jy["u"]["th.officer"]
    monkeypatch.setattr(report, "MAX_EVENTS", 1)
    for n in range(5):  # hidden from TH: must not show in "n more events not printed"
        Event.objects.create(owner=jy["a"]["CN-MPS"], kind="raid", title=f"hidden {n}", operation=jy["op"],
                             distribution="owner")
    built = report.build(th, jy["op"])
    visible = Event.objects.visible_to(th).filter(operation=jy["op"], retracted_at__isnull=True).count()
    assert len(built.events) == 1 and built.left_out["events"] == visible - 1


def test_download_view_audits_and_refuses_what_the_reader_may_not_see(jy):
    th = jy["u"]["th.officer"]
    client = login(Client(), th)
    url = f"/analysis/reports/operations/{jy['op'].pk}/phases/1.pdf"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "TLP-GREEN" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    entries = AuditEntry.objects.filter(action="export", actor=th)
    assert {e.owner_agency.short_name for e in entries} == {"LMLECC"}  # nothing of CN-MPS left in TH's file
    assert all(e.detail["model"] == "analysis.operation_report" for e in entries)
    # An operation TH may not see, a phase that does not exist, a bad marking: 404, no file.
    secret = Operation.objects.create(owner=jy["a"]["CN-MPS"], name="Secret op", distribution="owner")
    assert client.get(f"/analysis/reports/operations/{secret.pk}.pdf").status_code == 404
    assert client.get(f"/analysis/reports/operations/{jy['op'].pk}/phases/9.pdf").status_code == 404
    assert client.get(f"/analysis/reports/operations/{jy['op'].pk}.pdf?max_tlp=PURPLE").status_code == 404
    assert AuditEntry.objects.filter(action="export", actor=th).count() == entries.count()
    # The list of reports names only operations TH may see.
    page = client.get("/analysis/reports/").content.decode()
    assert "Jingyao" in page and "Secret op" not in page


def test_other_agencys_officer_sees_shared_person_unnamed_in_build():
    """A record shared without its protected fields is listed as a protected
    identity; the owner's reader gets the name (build only: no PDF)."""
    kh, th = make_agency("KH-R", "KH"), make_agency("TH-R", "TH")
    op = Operation.objects.create(owner=kh, name="Op R", distribution="members", tlp=TLP.GREEN)
    event = Event.objects.create(owner=kh, kind="rescue", title="Rescue R", operation=op, distribution="members",
                                 tlp=TLP.GREEN)
    victim = make_person(kh, "Ulvane Rostiq", distribution="shared", tlp=TLP.AMBER, protection="witness")
    Share.objects.create(record=victim, agency=th)
    Participant.objects.create(event=event, person=victim, role="witness", note="Ulvane saw the boss")
    th_user, kh_user = make_user(th), make_user(kh)
    built = report.build(th_user, op)
    (_status, lines), = built.persons_by_status
    assert [line.label for line in lines] == ["Protected identity"] and not built.revealed
    assert built.events[0].participants == [("Protected identity", "Witness", "", False)]
    assert built.tlp == TLP.AMBER  # the witness's record is in the file, unnamed
    owner = report.build(kh_user, op)
    assert owner.persons_by_status[0][1][0].label == "Ulvane Rostiq" and owner.revealed == [victim]


def test_margin_text_cannot_break_out_of_its_css_string():
    assert report.css_string('a"b\\c</style>\n') == '"a\\22 b\\5C c\\3C /style\\3E \\A "'
    with translation.override("en"):
        assert report.page_number_content("thai") == '"page " counter(page, thai) " of " counter(pages, thai)'


def test_charts_still_draw_after_weasyprint_is_loaded_and_their_labels_become_html():
    """Importing WeasyPrint resets ElementTree's SVG prefix (``<ns0:svg>``, drawn by
    nobody): the report puts it back, for its own chart and every page's after it."""
    from liaison.analysis import charts

    report._weasyprint()
    rows = [{"label": "ผู้ต้องสงสัย", "value": 70000, "qualifier": "more_than", "category": "suspects",
             "detail": "ผลการปฏิบัติการ", "cumulative": True}]
    with translation.override("th"):
        svg = charts.figures_svg(rows, by="category")
    assert svg.lstrip().startswith("<svg") and "ns0:" not in svg
    html = report.svg_text_as_html(svg)
    assert "<text" not in html and "ns0:" not in html
    assert '<span dir="auto"' in html and "ผลการปฏิบัติการ" in html  # set by Pango, shaped
