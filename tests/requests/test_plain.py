"""The life cycle, the request types' fields, the attachment check, the
figures and the webhook signature: plain Python, no database."""

import datetime as dt
import hashlib
import hmac
import io
import itertools

import pytest

from liaison.requests import filecheck, kinds, lifecycle as L, stats

LO = ["liaison_officer"]
EVERY = [(a, s, side) for a in L.ACTIONS for s in L.STATES for side in (L.REQUESTER, L.REQUESTED)]
ALLOWED = {
    ("send", L.DRAFT, L.REQUESTER): L.SENT,
    ("withdraw", L.DRAFT, L.REQUESTER): L.WITHDRAWN,
    ("withdraw", L.SENT, L.REQUESTER): L.WITHDRAWN,
    ("withdraw", L.ACKNOWLEDGED, L.REQUESTER): L.WITHDRAWN,
    ("withdraw", L.IN_PROGRESS, L.REQUESTER): L.WITHDRAWN,
    ("acknowledge", L.SENT, L.REQUESTED): L.ACKNOWLEDGED,
    ("start", L.ACKNOWLEDGED, L.REQUESTED): L.IN_PROGRESS,
    ("fulfil", L.ACKNOWLEDGED, L.REQUESTED): L.FULFILLED,
    ("fulfil", L.IN_PROGRESS, L.REQUESTED): L.FULFILLED,
    ("partly_fulfil", L.ACKNOWLEDGED, L.REQUESTED): L.PARTLY_FULFILLED,
    ("partly_fulfil", L.IN_PROGRESS, L.REQUESTED): L.PARTLY_FULFILLED,
    ("refuse", L.SENT, L.REQUESTED): L.REFUSED,
    ("refuse", L.ACKNOWLEDGED, L.REQUESTED): L.REFUSED,
    ("refuse", L.IN_PROGRESS, L.REQUESTED): L.REFUSED,
}


@pytest.mark.parametrize("action,state,side", EVERY)
def test_every_step_from_every_state_on_each_side(action, state, side):
    key = (action, state, side)
    if key in ALLOWED:
        assert L.check(action, state, side, LO, reason="because") == ALLOWED[key]
        assert action in L.allowed_actions(state, side, LO)
        return
    with pytest.raises(L.LifecycleError) as info:
        L.check(action, state, side, LO, reason="because")
    state_ok = state in L.TRANSITIONS[action].sources
    # A state that does not allow the step is a conflict (409); the wrong side is refused (403).
    assert info.value.status == (403 if state_ok else 409)
    assert action not in L.allowed_actions(state, side, LO)


def test_closed_requests_take_no_step_and_say_why():
    for state in L.CLOSED:
        assert L.allowed_actions(state, L.REQUESTED, LO) == L.allowed_actions(state, L.REQUESTER, LO) == []
    with pytest.raises(L.IllegalTransition) as info:
        L.check("fulfil", L.REFUSED, L.REQUESTED, LO)
    assert "refused" in str(info.value) and "Reload" in str(info.value)


@pytest.mark.parametrize("roles", [[], ["viewer"], ["analyst"]])
def test_only_liaison_officers_and_admins_take_steps(roles):
    with pytest.raises(L.NotAllowed) as info:
        L.check("acknowledge", L.SENT, L.REQUESTED, roles)
    assert "liaison officer" in str(info.value)
    assert L.allowed_actions(L.SENT, L.REQUESTED, roles) == []
    assert L.check("acknowledge", L.SENT, L.REQUESTED, ["agency_admin"]) == L.ACKNOWLEDGED


def test_outsiders_take_no_step():
    assert L.side_of(3, 1, 2) is None and L.side_of(None, 1, 2) is None
    assert L.allowed_actions(L.SENT, None, LO) == []
    with pytest.raises(L.NotAllowed):
        L.check("acknowledge", L.SENT, None, LO)


@pytest.mark.parametrize("action,state", [("refuse", L.SENT), ("partly_fulfil", L.IN_PROGRESS), ("withdraw", L.SENT)])
def test_refusing_partial_fulfilment_and_withdrawal_need_a_reason(action, state):
    side = L.TRANSITIONS[action].side
    with pytest.raises(L.ReasonRequired) as info:
        L.check(action, state, side, LO, reason="  ")
    assert info.value.status == 400
    assert L.check(action, state, side, LO, reason="Persons already released")


def test_a_draft_is_withdrawn_without_a_reason():
    assert L.check("withdraw", L.DRAFT, L.REQUESTER, LO) == L.WITHDRAWN


def test_errors_are_translated_before_the_values_are_filled_in():
    french = {
        "Only %(who)s can %(step)s this request.": "Seule %(who)s peut %(step)s cette demande.",
        "the requested agency": "l’agence sollicitée",
        "acknowledge": "accuser réception de",
    }
    err = pytest.raises(L.LifecycleError, L.check, "acknowledge", L.SENT, L.REQUESTER, LO).value
    assert str(err) == "Only the requested agency can acknowledge this request."
    assert (
        err.render(lambda s: french.get(s, s)) == "Seule l’agence sollicitée peut accuser réception de cette demande."
    )


def test_drafts_are_edited_by_the_requesting_side_only():
    assert L.may_edit(L.DRAFT, L.REQUESTER, ["analyst"])
    assert not L.may_edit(L.SENT, L.REQUESTER, LO)
    assert not L.may_edit(L.DRAFT, L.REQUESTED, LO)
    assert not L.may_edit(L.DRAFT, L.REQUESTER, ["viewer"])
    assert L.may_comment(L.SENT, L.REQUESTED, ["analyst"]) and not L.may_comment(L.DRAFT, L.REQUESTED, LO)


# --- request types ---------------------------------------------------------

TODAY = dt.date(2024, 1, 15)
GOOD = {
    "handover": {"handover_date": "2024-11-18", "place": "Muse"},
    "extradition": {"offence": "Telecom fraud", "warrant_reference": "W-1", "legal_basis": "Treaty 1999"},
    "deportation": {"grounds": "Overstay"},
    "record_check": {"purpose": "Citizenship review"},
    "identity_verification": {"purpose": "Detained without papers"},
    "consular_access": {"detention_place": "Phnom Penh", "detained_on": "2024-01-10", "visit_requested": "on"},
    "repatriation": {"planned_date": "2024-01-20", "border_crossing": "Bavet – Moc Bai", "transport": "road"},
    "nationality_revocation": {"nationality": "kh", "evidence": "Criminal record in China under another name"},
    "legal_assistance": {"case_reference": "C-7", "evidence_sought": "Bank records", "legal_basis": "MLA treaty"},
    "rescue": {"last_known_place": "KK Park block C", "situation": "Held and beaten, messaged his sister"},
    "hit_details": {"questions": "Is this the same person?"},
    "record_update": {"record": "Raid in Myawaddy, 2025-03-04", "addition": "Our report states it too."},
}


def test_every_type_has_an_example_here():
    assert set(GOOD) == set(kinds.KINDS)


@pytest.mark.parametrize("code", sorted(GOOD))
def test_each_type_accepts_its_complete_fields(code):
    clean = kinds.validate(code, GOOD[code], persons=1, today=TODAY)
    assert set(clean) == {f.name for f in kinds.KINDS[code].fields}


@pytest.mark.parametrize("code,name", [(c, f.name) for c in sorted(GOOD) for f in kinds.KINDS[c].fields if f.required])
def test_each_required_field_is_named_when_missing(code, name):
    data = {k: v for k, v in GOOD[code].items() if k != name}
    with pytest.raises(kinds.FieldErrors) as info:
        kinds.validate(code, data, persons=1, today=TODAY)
    label = next(f.label for f in kinds.KINDS[code].fields if f.name == name)
    assert info.value.rendered()[name] == f"{label} is needed for this type of request."


@pytest.mark.parametrize("code", [c for c, k in kinds.KINDS.items() if k.min_persons])
def test_types_about_persons_need_at_least_one(code):
    with pytest.raises(kinds.FieldErrors) as info:
        kinds.validate(code, GOOD[code], persons=0, today=TODAY)
    assert "persons" in info.value.errors


def test_bad_values_are_explained():
    bad = {"planned_date": "20/01/2024", "border_crossing": "x" * 501, "transport": "camel"}
    errors = pytest.raises(
        kinds.FieldErrors, kinds.validate, "repatriation", bad, persons=1, today=TODAY
    ).value.rendered()
    assert "year-month-day" in errors["planned_date"]
    assert "at most 500" in errors["border_crossing"]
    assert "choose one of the options" in errors["transport"]
    past = {**GOOD["repatriation"], "planned_date": "2024-01-01"}
    assert (
        "past"
        in pytest.raises(
            kinds.FieldErrors, kinds.validate, "repatriation", past, persons=1, today=TODAY
        ).value.rendered()["planned_date"]
    )
    wrong_country = {**GOOD["nationality_revocation"], "nationality": "Cambodia"}
    assert (
        "two-letter"
        in pytest.raises(
            kinds.FieldErrors, kinds.validate, "nationality_revocation", wrong_country, persons=1
        ).value.rendered()["nationality"]
    )


def test_unknown_fields_and_types_are_refused():
    with pytest.raises(kinds.FieldErrors) as info:
        kinds.validate("rescue", {**GOOD["rescue"], "lastknown": "x"}, persons=1)
    assert "lastknown" in info.value.errors
    with pytest.raises(kinds.FieldErrors) as info:
        kinds.validate("kidnap", {})
    assert "kind" in info.value.errors


def test_a_draft_may_be_unfinished_but_not_wrong():
    assert kinds.validate("repatriation", {}, persons=0, partial=True) == {
        "planned_date": None,
        "border_crossing": "",
        "transport": "",
        "escort": "",
    }
    with pytest.raises(kinds.FieldErrors):
        kinds.validate("repatriation", {"planned_date": "soon"}, partial=True)


def test_values_are_normalised():
    clean = kinds.validate("consular_access", GOOD["consular_access"], persons=1)
    assert clean["visit_requested"] is True and clean["detained_on"] == "2024-01-10"
    assert kinds.validate("nationality_revocation", GOOD["nationality_revocation"], persons=1)["nationality"] == "KH"


# --- attachments -----------------------------------------------------------


def _docx():
    import docx

    d = docx.Document()
    d.add_paragraph("Nationality certificate")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


@pytest.mark.parametrize(
    "name,head,mime",
    [
        ("scan.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        ("note.txt", "Đã xác minh danh tính".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_allowed_files(name, head, mime):
    assert filecheck.check(name, head, len(head)) == mime


def test_word_documents_are_recognised_by_content():
    data = _docx()
    assert filecheck.check("certificate.docx", data[:8192], len(data)).endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    "name,head,why",
    [
        ("page.html", b"<html>", "cannot be attached"),
        ("tool.exe", b"MZ", "cannot be attached"),
        ("noext", b"%PDF-", "cannot be attached"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "does not contain what its name says"),
        ("fake.png", b"%PDF-1.4", "does not contain what its name says"),
        ("page.txt", b"<!DOCTYPE html><script>x</script>", "web-page markup"),
        ("binary.txt", b"\xff\xfe\x00\x01\x02\x00" * 10, "not plain text"),
    ],
)
def test_refused_files_say_why(name, head, why):
    with pytest.raises(filecheck.FileRefused) as info:
        filecheck.check(name, head, len(head))
    assert why in str(info.value)


def test_size_limits():
    with pytest.raises(filecheck.FileRefused, match="too large"):
        filecheck.check("big.pdf", b"%PDF-1.4", filecheck.MAX_BYTES + 1)
    with pytest.raises(filecheck.FileRefused, match="empty"):
        filecheck.check("empty.pdf", b"", 0)
    assert filecheck.check("limit.pdf", b"%PDF-1.4", filecheck.MAX_BYTES)


# --- figures ---------------------------------------------------------------


def test_median_days_per_type_and_country_pair():
    t0 = dt.datetime(2024, 1, 1, 8, 0)
    rows = [
        ("repatriation", "VN", "KH", t0, t0 + dt.timedelta(days=2)),
        ("repatriation", "VN", "KH", t0, t0 + dt.timedelta(days=10)),
        ("repatriation", "VN", "KH", t0, t0 + dt.timedelta(days=4)),
        ("handover", "CN", "MM", t0, t0 + dt.timedelta(hours=12)),
    ]
    by_kind, by_pair = stats.median_days(rows)
    assert dict(by_kind) == {"handover": (0.5, 1), "repatriation": (4.0, 3)}
    assert dict(by_pair) == {("CN", "MM"): (0.5, 1), ("VN", "KH"): (4.0, 3)}


def test_persons_awaiting_repatriation_count_once():
    rows = [("KH", "VN", 1), ("KH", "VN", 2), ("KH", "VN", 1), ("MM", "ID", 7), ("KH", "VN", None)]
    assert stats.awaiting_by_country(rows) == [(("KH", "VN"), 2), (("MM", "ID"), 1)]


# --- webhook signature and back-off ----------------------------------------


def test_signature_is_hmac_sha256_of_the_body():
    from liaison.requests import webhooks

    body = '{"event": "request.send"}'.encode()
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert webhooks.sign("s3cret", body) == f"sha256={expected}"
    assert webhooks.verify("s3cret", body, f"sha256={expected}")
    assert not webhooks.verify("other", body, f"sha256={expected}")
    assert not webhooks.verify("s3cret", body + b" ", f"sha256={expected}")


def test_backoff_doubles_up_to_a_ceiling():
    from liaison.requests import webhooks

    waits = [webhooks.backoff(n).total_seconds() / 60 for n in itertools.islice(itertools.count(1), 12)]
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert max(waits) == 360
