"""The extractor as other services use it: facts with evidence, exactly in the extraction format."""
import json
from pathlib import Path

import pytest

from liaison.text import UnknownBackend, backends, extract_report, register_backend
from liaison.text.evaluate import evaluate_folder, overlap, same_name, score_report

DATA = Path(__file__).resolve().parent.parent / "data" / "extraction"
SEEDS = sorted(p for p in DATA.glob("0*.txt"))
FORMAT_KEYS = ["id", "language", "published", "events"]
EVENT_KEYS = ["type", "date", "countries", "places", "agencies", "operation", "counts", "qualifiers", "persons",
              "evidence"]


def seed(name):
    return next(p for p in SEEDS if p.name.startswith(name)).read_text(encoding="utf-8")


def test_french_seed_handover_at_muse():
    report = extract_report(seed("001"), doc_id="001")
    assert report.language == "fr" and report.published == "--11-22"
    muse = next(e for e in report.events if e.date == "--11-18")
    assert muse.type == "handover"
    assert muse.counts == {"suspects": 571}
    assert set(muse.countries) == {"MM", "CN"}
    assert "Muse" in muse.places and "Dehong" in muse.places
    total = next(e for e in report.events if e.counts.get("suspects") == 31000)
    assert total.counts == {"suspects": 31000, "leaders": 63, "fugitives": 1531}


def test_indonesian_seed_results_with_qualifier_and_operation():
    report = extract_report(seed("000"))
    results = next(e for e in report.events if e.counts.get("cases") == 160)
    assert results.counts == {"cases": 160, "suspects": 70000, "victims": 160}
    assert results.qualifiers == {"suspects": "more_than"}
    assert results.operation == "Jingyao"
    meeting = next(e for e in report.events if e.date == "--01-21")
    assert "Kunming" in meeting.places and "LMLECC" in meeting.agencies


def test_persons_with_roles_go_to_their_event():
    report = extract_report(seed("001"))
    arrest = next(e for e in report.events if e.type == "arrest")
    death = next(e for e in report.events if e.type == "death")
    assert {p["name"] for p in arrest.persons} == {"Ming Guoping", "Ming Julan", "Ming Zhenzhen"}
    assert death.persons == [{"name": "Ming Xuechang", "role": "leader"}]


@pytest.mark.parametrize("path", SEEDS + sorted(DATA.glob("w_*.txt"))[:6], ids=lambda p: p.stem)
def test_evidence_offsets_point_into_the_text(path):
    text = path.read_text(encoding="utf-8")
    report = extract_report(text, doc_id=path.stem)
    assert report.events
    for ev in report.events:
        assert text[ev.evidence_start:ev.evidence_end] == ev.evidence
        assert 0.0 <= ev.confidence <= 1.0


def test_to_format_has_exactly_the_format_keys():
    data = extract_report(seed("001"), doc_id="001_x").to_format()
    assert list(data) == FORMAT_KEYS and data["id"] == "001_x"
    for ev in data["events"]:
        assert list(ev) == EVENT_KEYS
    json.dumps(data)  # serialisable as is
    details = extract_report(seed("001")).to_dict()
    assert {"evidence_start", "evidence_end", "confidence"} <= set(details["events"][0])
    assert "warnings" in details


def test_thai_buddhist_year_and_digits():
    text = "เมื่อวันที่ ๕ ก.ย. ๒๕๖๗ ตำรวจจับกุมผู้ต้องหาชาวจีน ๑๒ คน ที่แม่สอด"
    ev = extract_report(text).events[0]
    assert (ev.type, ev.date, ev.counts) == ("arrest", "2024-09-05", {"suspects": 12})
    assert "TH" in ev.countries and "CN" in ev.countries


def test_given_published_date_resolves_relative_dates():
    text = "Police in Manila arrested 15 suspects yesterday in a raid on a scam hub."
    assert extract_report(text, published="2024-05-10").events[0].date == "2024-05-09"
    assert extract_report(text).events[0].date is None


def test_a_plan_without_figures_is_not_an_event():
    report = extract_report("The two countries will arrest and repatriate fugitives. Cambodia will not be a safe haven.")
    assert report.events == [] and "no events found" in report.warnings


def test_mixed_languages_are_reported():
    text = ("Polisi menangkap dua puluh tersangka penipuan daring di Jakarta kemarin dan menyita barang bukti.\n\n"
            "The police said the suspects had worked for a scam compound in Cambodia for several months.")
    warnings = extract_report(text).warnings
    assert any(w.startswith("mixed languages:") and "id" in w and "en" in w for w in warnings)


def test_names_are_stored_as_written_in_nfc():
    decomposed = "Ph\u0061\u0323m Thu Hang"  # combining dot below
    report = extract_report(f"Juru bicara {decomposed} mengatakan polisi menangkap 8 tersangka.")
    assert report.events[0].evidence.startswith("Juru bicara Phạm")


def test_backends_by_name():
    assert "rules" in backends()
    with pytest.raises(UnknownBackend, match="Unknown extraction backend"):
        extract_report("text", backend="gpt")
    with pytest.raises(ValueError, match="is not a date"):
        extract_report("text", published="22/11/2024")


def test_a_registered_backend_is_used_through_the_same_interface():
    from liaison.text.rules import extract

    calls = []

    def upper_case_first(text, doc_id, published):
        calls.append(doc_id)
        return extract(text.upper(), doc_id=doc_id, published=published)

    register_backend("rules-upper", upper_case_first)
    try:
        report = extract_report("Police arrested 3 suspects.", doc_id="x", backend="rules-upper")
        assert calls == ["x"] and report.backend == "rules-upper"
    finally:
        from liaison.text import _BACKENDS

        _BACKENDS.pop("rules-upper")


def test_matching_helpers():
    assert same_name("Kepolisian  Kerajaan Thailand", "kepolisian kerajaan thailand")
    assert same_name("Tak", "Tak province") and not same_name("Muse", "Dehong")
    assert overlap("Le 18 novembre, la coopération ... 571 personnes", "Le 18 novembre, la coopération "
                   "transfrontalière a remis 571 personnes soupçonnées") > 0.8


def test_scoring_counts_wrong_figures_and_missed_events():
    gold = {"language": "en", "published": None, "events": [
        {"type": "arrest", "date": None, "countries": ["TH"], "places": [], "agencies": [], "operation": None,
         "counts": {"suspects": 12}, "qualifiers": {}, "persons": [], "evidence": "Police arrested 12 suspects."},
        {"type": "rescue", "date": None, "countries": [], "places": [], "agencies": [], "operation": None,
         "counts": {"victims": 3}, "qualifiers": {}, "persons": [], "evidence": "Three victims were rescued."}]}
    pred = {"language": "en", "published": None, "events": [dict(gold["events"][0], counts={"suspects": 13})]}
    t = score_report(pred, gold)
    assert (t["events"].tp, t["events"].fn) == (1, 1)
    assert (t["counts"].tp, t["counts"].fp, t["counts"].fn) == (0, 1, 2)
    assert t["countries"].f1 == 1.0


def test_seed_scores_stay_above_the_measured_floor():
    """Regression guard: F1 measured 0.96 on the seeds, 0.96 on the written set, 0.96 on the held-out set
    (0.92 when first scored) and 0.93 on the unseen set.

    A change that drops them below these floors fails.
    """
    def run(text, doc_id):
        return extract_report(text, doc_id=doc_id).to_format()

    seeds = evaluate_folder(DATA, run, "0*.txt")
    assert seeds.reports == 5
    assert seeds.overall.f1 >= 0.90
    assert seeds.per_field["events"].f1 >= 0.90 and seeds.per_field["counts"].f1 >= 0.90
    written = evaluate_folder(DATA, run, "w_*.txt")
    assert written.reports == 28 and written.overall.f1 >= 0.90
    held_out = evaluate_folder(DATA, run, "h_*.txt")
    assert held_out.reports == 14 and held_out.overall.f1 >= 0.85
    unseen = evaluate_folder(DATA, run, "u_*.txt")
    assert unseen.reports == 14 and unseen.overall.f1 >= 0.85
    assert set(held_out.per_language) == set(written.per_language)


def test_next_day_and_verb_particles():
    zh = extract_report("2024年6月18日，泰国警方在曼谷抓获犯罪嫌疑人26名，并于次日将其移交中国警方。")
    assert [(e.type, e.date) for e in zh.events] == [("arrest", "2024-06-18"), ("handover", "2024-06-19")]
    en = extract_report("Lao authorities handed over 40 Chinese nationals suspected of fraud to Chinese police.")
    ev = en.events[0]
    assert (ev.type, ev.counts, ev.qualifiers) == ("handover", {"suspects": 40}, {})
    assert set(ev.countries) == {"LA", "CN"}


def test_related_links_and_read_more_lines_are_not_events():
    text = ("Police in Pasay arrested 31 suspects in a raid on a scam hub on Monday.\n\n"
            "Read more: Police rescue 12 workers from Pampanga compound\n\n"
            "Related articles\n"
            "Immigration deports 40 Chinese nationals\n"
            "Senate probes 7 POGO hubs\n\n"
            "The suspects were brought to Camp Crame.")
    report = extract_report(text)
    assert [(e.type, e.counts) for e in report.events] == [("arrest", {"suspects": 31})]


def test_headline_repeated_by_the_body_is_one_event():
    text = ("5 Chinese nabbed in Clark scam hub raid\n\n"
            "Agents arrested five Chinese nationals in a raid on a scam hub in Clark on Tuesday, police said.\n\n"
            "The raid was carried out by 120 officers.")
    report = extract_report(text)
    arrests = [e for e in report.events if e.type == "arrest"]
    assert len(arrests) == 1 and arrests[0].counts == {"suspects": 5}
    assert not [e for e in report.events if e.type == "raid"]


def test_an_event_retold_without_figures_joins_the_event_with_them():
    text = ("Cambodian police rescued 215 foreigners from a building in Poipet on February 22.\n"
            "The rescue was the largest of its kind, officials said.")
    report = extract_report(text)
    assert [(e.type, e.counts) for e in report.events] == [("rescue", {"victims": 215})]


def test_vague_amounts_are_not_figures():
    report = extract_report("Hundreds of foreigners were detained after a raid on a scam compound in Myawaddy.")
    assert all(not e.counts for e in report.events)
    report = extract_report("Polisi menangkap ratusan warga asing di sebuah gedung di Cyberjaya.")
    assert all(not e.counts for e in report.events)


def test_nationals_the_sentence_calls_deceived_or_freed_are_victims():
    ar = extract_report("أفادت مصادر عن عودة ثلاثة مواطنين إلى أرض الوطن، بعد تحريرهم من قبضة عصابات الاتجار بالبشر.")
    assert ar.events[0].counts == {"victims": 3}
    # a later "among them N victims" says only part of the group were victims
    vi = extract_report("Ngày 3/5/2025, Công an tỉnh An Giang tiếp nhận 40 công dân bị lừa sang Campuchia.\n"
                        "Trong số này có 6 người là nạn nhân bị mua bán.")
    assert vi.events[0].counts == {"people": 40, "victims": 6}


def test_event_words_follow_the_annotation_rules_per_language():
    vi = extract_report("Ngày 3/5/2025, Bộ đội Biên phòng tiếp nhận 40 công dân Việt Nam do phía Campuchia trao trả.")
    assert vi.events[0].type == "repatriation"
    ja = extract_report("カンボジア当局は23日、詐欺拠点とみられる集合住宅に踏み込み、日本人28人を拘束しました。")
    assert [(e.type, e.counts) for e in ja.events] == [("detention", {"people": 28})]
    ko = extract_report("경찰청은 캄보디아에서 보이스피싱 조직원 19명을 국내로 강제송환했다고 밝혔다.")
    assert ko.events[0].type == "deportation"
    th = extract_report("ชาวต่างชาติ 677 คน หลบหนีออกจากศูนย์สแกมเมอร์ข้ามแม่น้ำเมยมายังฝั่งไทย")
    assert [(e.type, e.counts) for e in th.events] == [("other", {"people": 677})]
