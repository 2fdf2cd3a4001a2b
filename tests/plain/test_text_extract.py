"""The extractor as other services use it: facts with evidence, exactly in the extraction format."""
import json
from pathlib import Path

import pytest

from liaison.text import UnknownBackend, backends, extract_report, register_backend
from liaison.text.evaluate import evaluate_folder, overlap, same_name, score_headline, score_report

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


def test_report_level_figures_ignore_which_event_holds_them_but_not_their_type():
    """A figure put in the wrong one of two events of the same type still reads right to a reviewer;
    the same figure under another event type does not."""
    event = {"type": "arrest", "date": "2025-11-18", "countries": ["MM"], "places": [], "agencies": [],
             "operation": None, "counts": {}, "qualifiers": {}, "persons": [], "evidence": "x"}
    gold = {"events": [dict(event, counts={"suspects": 571}, persons=[{"name": "Bai Suocheng", "role": "leader"}]),
                       dict(event, counts={"victims": 30})]}
    pred = {"events": [dict(event, counts={"suspects": 571, "victims": 30},
                            persons=[{"name": "bai suocheng", "role": "suspect"}])]}
    t = score_headline(pred, gold)
    assert (t["figures"].tp, t["figures"].fp, t["figures"].fn) == (2, 0, 0)
    assert t["persons"].f1 == 1.0 and t["dates"].f1 == 1.0
    retyped = {"events": [dict(event, type="rescue", counts={"suspects": 571, "victims": 30})]}
    t = score_headline(retyped, gold)
    assert t["figures"].f1 == 1.0
    assert (t["figures_typed"].tp, t["figures_typed"].fp, t["figures_typed"].fn) == (0, 2, 2)
    assert t["types"].f1 == 0.0


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
    # persons whose detention is the event are suspects (docs/extraction-annotation.md, Categories 2)
    assert [(e.type, e.counts) for e in ja.events] == [("detention", {"suspects": 28})]
    ko = extract_report("경찰청은 캄보디아에서 보이스피싱 조직원 19명을 국내로 강제송환했다고 밝혔다.")
    assert ko.events[0].type == "deportation"
    th = extract_report("ชาวต่างชาติ 677 คน หลบหนีออกจากศูนย์สแกมเมอร์ข้ามแม่น้ำเมยมายังฝั่งไทย")
    assert [(e.type, e.counts) for e in th.events] == [("other", {"people": 677})]


def test_a_person_named_outside_the_event_sentence_joins_the_event_but_not_from_page_furniture():
    text = ("Police arrested 12 suspects at a scam hub in Manila on Monday.\n\n"
            "Spokesperson Maria Cruz said the group had operated for a year.\n\n"
            "Read more: Senator Pedro Ramos said he would hold hearings\n")
    report = extract_report(text)
    persons = [p for e in report.events for p in e.persons]
    assert persons == [{"name": "Maria Cruz", "role": "official"}]


def _figures_of(text):
    return [(e.type, e.counts, e.qualifiers) for e in extract_report(text).events]


@pytest.mark.parametrize("text, expected", [
    # "of them" after a number: a part of the group, counted for the happening it belongs to
    ("وأعلنت السلطات احتجاز 5200 أجنبي منذ بداية العام، وترحيل 4100 منهم إلى بلدانهم.",
     [("detention", {"suspects": 5200}, {}), ("deportation", {"people": 4100}, {})]),
    # a breakdown by nationality is not a figure; the rescued total is
    ("Police rescued 126 foreign nationals from a scam compound in Myawaddy on Monday, "
     "including 40 Indonesians and 23 Filipinos.", [("rescue", {"victims": 126}, {})]),
    # a verdict's total is its figure, never its tiers
    ("A court in Yunnan sentenced 30 members of the gang for fraud and kidnapping. Eight were sentenced to death, "
     "four received suspended death sentences and six were given life terms.", [("sentence", {"sentenced": 30}, {})]),
    # Korean: the persons money was taken from are the victims of the suspects' event
    ("경찰은 캄보디아에서 보이스피싱 조직원 20명을 국내로 송환했다고 밝혔다. 이들은 한국인 350명에게서 40억원을 가로챈 혐의를 받는다.",
     [("deportation", {"suspects": 20, "victims": 350}, {})]),
    # Burmese writes numbers in brackets: a count, not an age
    ("ရန်ကုန် မတ်လ ၁၀\nမြဝတီမြို့နယ်တွင် နိုင်ငံခြားသား (၁၂၅) ဦးကို ဖမ်းဆီးခဲ့သည်။", [("arrest", {"suspects": 125}, {})]),
    # parts of a group of victims stay victims, in the happening each part went through
    ("Polis menyelamatkan 300 mangsa pada bulan lalu. Daripada jumlah itu, 200 orang telah dihantar pulang "
     "manakala baki 100 orang lagi masih ditahan di depoh imigresen.",
     [("rescue", {"victims": 300}, {}), ("repatriation", {"victims": 200}, {}), ("detention", {"victims": 100}, {})]),
    # suspects who got away are the event's fugitives; the officers sent are no figure
    ("The Immigration Department arrested 400 foreigners in a raid by 150 officers on a scam centre in Selangor, "
     "while about 60 members of the syndicate escaped.",
     [("arrest", {"suspects": 400, "fugitives": 60}, {"fugitives": "about"})]),
    # the same group told at two precisions is one figure, the precise one
    ("Myanmar said it arrested more than 10,000 foreigners this year. Of the 10,119 arrested until 27 October, "
     "9,340 were deported.",
     [("arrest", {"suspects": 10119}, {}), ("deportation", {"people": 9340}, {})]),
    # groups listed side by side with no total are a breakdown: no figure ("한 건물" is a building, not one)
    ("캄보디아 경찰은 프놈펜의 한 건물을 급습해 한국인 40명과 중국인 25명을 체포했다.", [("arrest", {}, {})]),
    # an administrative fine is a sanction, and those fined are people
    ("Ngày 10/3, Công an tỉnh An Giang đã xử phạt 12 người xuất cảnh trái phép sang Campuchia.",
     [("sanction", {"people": 12}, {})]),
    # the relative clause after the classifier tells who deceived them, not who is counted
    ("กต.ประสานช่วยเหลือคนไทย 12 คน ที่ถูกแก๊งคอลเซ็นเตอร์หลอกไปทำงานในเมียวดี", [("rescue", {"victims": 12}, {})]),
    # "detained and deported": one deportation, and the group detained first is suspects; "ចាប់ពី" (since)
    # is no arrest, and "48 nationalities" counts countries, not persons
    ("ប៉ូលិសអន្តោប្រវេសន៍ បានឃាត់ខ្លួន និងបណ្តេញចេញពីកម្ពុជា គិតចាប់ពីឆ្នាំ២០១៤ មានចំនួន ៥.៦១៩ នាក់ និងមាន ៤៨ សញ្ជាតិ។",
     [("deportation", {"suspects": 5619}, {})]),
    # a tally of cases is a fact even with no event word; a qualifier may stand before "ada"
    ("Sejak tahun 2020 hingga saat ini total lebih dari 10 ribu kasus online scam yang terjadi.",
     [("other", {"cases": 10000}, {"cases": "more_than"})]),
    ("Imigrasi melaporkan bahwa setidaknya ada 680 orang warga China yang ditahan.",
     [("detention", {"suspects": 680}, {"suspects": "at_least"})]),
    # groups listed before their total: the total is the figure, said with a total word or adding up
    ("Imigrasi Thailand mendeportasi 20 warga China, 15 warga Vietnam dan 5 warga Laos, total 40 orang, pada Jumat.",
     [("deportation", {"people": 40}, {})]),
    ("မြဝတီမြို့နယ်၌ တရုတ်နိုင်ငံသား ၄၀ ဦးအပါအဝင် နိုင်ငံခြားသား စုစုပေါင်း ၅၀ ဦးကို ပြန်လည်လွှဲပြောင်းပေးခဲ့သည်။",
     [("handover", {"people": 50}, {})]),
    # a lead's figure told again in the body as part of a bigger total is that part, not a second arrest
    ("Polisi menangkap 30 WNI dalam penggerebekan di Phnom Penh. Otoritas Kamboja menangkap 250 WNA, termasuk "
     "30 WNI, dalam penggerebekan itu.", [("arrest", {"suspects": 250}, {})]),
    # deported by one side, received by the other a day later: one group sent home, counted once
    ("Công an tỉnh Long An đã tiếp nhận 12 công dân bị Campuchia trục xuất về nước ngày 3-5-2025. Trước đó, "
     "ngày 2-5-2025, phía Campuchia đã trục xuất 12 công dân này qua cửa khẩu.", [("deportation", {"people": 12}, {})]),
    # Khmer runs clauses without a full stop: the event word said again before a second figure is a second event
    ("ក្នុងឆ្នាំ២០២៣ ប្រទេសកម្ពុជាបានបណ្តេញជនបរទេស ២០០០ នាក់ ហើយស្ថិតិជនបរទេសដែលបានបណ្តេញចេញ ប្រចាំឆ្នាំ២០២២ "
     "មានចំនួន ៩០០ នាក់។", [("deportation", {"people": 2000}, {}), ("deportation", {"people": 900}, {})]),
    # Japanese "5人のうち3人": the whole is counted by the verb before, the part by the verb after
    ("拘束された成人6人のうち3人は帰国済みという。", [("detention", {"suspects": 6}, {}), ("repatriation", {"people": 3}, {})]),
    # a list of nationalities with no total is a breakdown down to its last group, even one the gazetteer
    # does not know; a group of another kind after it ("one suicide") ends the list
    ("Nasagip ng PNP ang 40 Filipinos, 25 Chinese, walong Malaysians, at dalawang Rwandans sa isang POGO hub sa Pasay.",
     [("rescue", {}, {})]),
    ("State media said the scheme led to the deaths of six Chinese citizens, one suicide, and many injuries.",
     [("death", {"deaths": 6}, {})]),
    # received after being deported ("تسلمت ... بعد ترحيلهم"): the receiving side of one deportation
    ("أعلنت الشرطة أنها تسلمت 45 مشتبها بهم في قضايا احتيال بعد ترحيلهم من ميانمار.",
     [("deportation", {"suspects": 45}, {})]),
])
def test_figures_follow_the_annotation_rules_for_parts_tiers_and_precision(text, expected):
    assert _figures_of(text) == expected


def test_zawgyi_glyphs_written_with_digits_are_not_numbers():
    from liaison.text.numbers import find_numbers

    # Zawgyi writes the letter wa with the digit zero and a medial with a Shan digit
    assert [n.value for n in find_numbers("လူ၀င္မႈႀကီးၾကပ္ေရး (၅၇)ဦး ယူဆရတဲ႔", "my")] == [57]
