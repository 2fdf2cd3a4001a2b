"""Proposals from an extracted report, and when a proposed event restates a known one (plain data, no database)."""
from liaison.intake import facts

MUSE = {"type": "handover", "date": "--11-18", "countries": ["MM", "CN"], "places": ["Muse", "Dehong"],
        "counts": {"suspects": 571}, "operation": "", "persons": []}


def known(**fields):
    return {"id": 1, "type": "handover", "date": "", "countries": ["MM", "CN"], "places": [], "counts": {},
            "operation": "", "persons": [], "evidence": [], **fields}


def test_a_report_becomes_event_operation_and_person_proposals_once_each():
    report = {"events": [
        {"type": "arrest", "operation": "Jingyao", "counts": {"suspects": "70000", "boats": 3},
         "qualifiers": {"suspects": "more_than", "victims": "about"}, "countries": ["cn", "MM", "Myanmar"],
         "persons": [{"name": " Ming  Guoping ", "role": "leader"}, {"name": "Ming Julan", "role": "boss"}],
         "evidence": "…", "evidence_start": 3, "evidence_end": 4},
        {"type": "raid", "operation": "JINGYAO", "persons": [{"name": "ming guoping", "role": "leader"}], "evidence": "x"},
        {"type": "kidnap", "evidence": "Police said the compound was closed after weeks of negotiation."},
    ]}
    proposals = facts.proposals_from_report(report)
    assert [p["kind"] for p in proposals] == ["event", "operation", "person", "person", "event", "event"]
    first = proposals[0]["data"]
    assert first["counts"] == {"suspects": 70000} and first["qualifiers"] == {"suspects": "more_than"}
    assert first["countries"] == ["CN", "MM"]
    assert first["persons"] == [{"name": "Ming Guoping", "role": "leader"}, {"name": "Ming Julan", "role": "other"}]
    assert first["title"] == "Arrest: more than 70,000 suspects — Jingyao"
    assert proposals[-1]["data"]["type"] == "other"
    assert proposals[-1]["data"]["title"] == "Other: Police said the compound was closed after weeks of negotiation."


def test_evidence_is_located_by_its_offsets_or_by_its_words():
    text = "Intro. Police arrested 214 suspects. End."
    assert facts.locate(text, "Police arrested 214 suspects.", 7, 36) == (7, 36)
    assert facts.locate(text, "Police arrested 214 suspects.", 0, 29) == (7, 36)  # wrong offsets: found anyway
    assert facts.locate(text, "not in the text") == (None, None)


def test_partial_dates_are_compatible_when_they_can_be_the_same_day():
    assert facts.dates_compatible("--11-18", "2025-11-18")
    assert facts.dates_compatible("2025-11", "2025-11-18")
    assert facts.dates_compatible("", "2025-11-18")
    assert not facts.dates_compatible("2025-11", "2025-12")
    assert not facts.dates_compatible("--11-18", "2024-11-19")


def test_the_same_handover_restated_matches_and_a_conflict_never_does():
    assert facts.restatement_score(MUSE, known(counts={"suspects": 571}, places=["Muse, northern Shan State"])) == 3.5
    assert facts.restatement_score(MUSE, known(counts={"suspects": 570})) is None
    assert facts.restatement_score(MUSE, known(counts={"suspects": 571}, date="--11-19")) is None
    assert facts.restatement_score(MUSE, known(counts={"suspects": 571}, countries=["TH"])) is None
    # Another kind with one equal figure is not enough...
    assert facts.restatement_score(MUSE, known(type="arrest", counts={"suspects": 571})) is None
    # ...two equal figures are (reports call the same handover an extradition).
    both = dict(MUSE, counts={"suspects": 571, "leaders": 3})
    assert facts.restatement_score(both, known(type="extradition", counts={"suspects": 571, "leaders": 3})) == 4.5


def test_best_restatement_needs_enough_agreement():
    weak = known(id=2)  # only the kind and countries agree
    strong = known(id=3, counts={"suspects": 571}, date="2025-11-18")
    assert facts.best_restatement(MUSE, [weak, strong])["id"] == 3
    assert facts.best_restatement(MUSE, [weak]) is None
    assert [c["id"] for _s, c in facts.ranked_restatements(MUSE, [weak, strong])] == [3]


def test_the_same_sentence_already_cited_identifies_a_vague_event():
    sentence = "أعلنت الصين وتايلاند خلال قمة مشتركة أنهما ستعززان التعاون."
    vague = {"type": "other", "countries": ["CN", "TH"], "evidence": sentence}
    meeting = known(type="meeting", countries=["CN", "TH", "MM"], evidence=["أعلنت الصين وتايلاند خلال قمة مشتركة"])
    assert facts.restatement_score(vague, meeting) == 3.5
    assert facts.restatement_score(dict(vague, evidence="another sentence"), meeting) is None


def test_shared_participants_count_towards_a_match():
    arrest = {"type": "arrest", "places": ["Kokang"], "countries": ["MM"],
              "persons": [{"name": "Ming Guoping", "role": "leader"}, {"name": "Ming Julan", "role": "leader"}]}
    assert facts.restatement_score(arrest, known(type="arrest", places=["Kokang, northern Myanmar"],
                                                 persons=["Ming Guoping", "Ming Julan"])) == 3.5
