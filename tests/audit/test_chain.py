"""The audit trail is tamper-evident: altering or removing any entry is found."""
import pytest
from django.core.management import CommandError, call_command

from liaison.audit import chain
from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from tests.factories import make_agency, make_person, make_user


def test_chain_plain_python():
    entries, prev = [], chain.GENESIS
    for seq in range(1, 5):
        fields = {"seq": seq, "what": f"entry {seq}"}
        h = chain.link_hash(prev, fields)
        entries.append((seq, prev, h, fields))
        prev = h
    assert chain.first_break(entries) is None
    altered = list(entries)
    altered[1] = (2, entries[1][1], entries[1][2], {"seq": 2, "what": "changed"})
    assert chain.first_break(altered)[0] == 2
    removed = entries[:1] + entries[2:]
    assert chain.first_break(removed)[0] == 3


@pytest.fixture
def filled_chain(db):
    agency = make_agency("MPS", "CN")
    user = make_user(agency, roles=("liaison_officer",))
    person = make_person(agency, "Ming Guoping")
    for i in range(5):
        audit.record(AuditEntry.Action.EXPORT, user, person, rows=i, note="名字 ملاحظة")
    return user


def test_verify_intact_chain(filled_chain, capsys):
    call_command("audit", "verify")
    assert "intact: 5 entries" in capsys.readouterr().out


def test_verify_reports_altered_row(filled_chain):
    AuditEntry.objects.filter(seq=3).update(detail={"rows": 99})
    with pytest.raises(CommandError, match="entry 3: its content does not match"):
        call_command("audit", "verify")


def test_verify_reports_removed_row(filled_chain):
    AuditEntry.objects.filter(seq=2).delete()
    with pytest.raises(CommandError, match="BROKEN at entry 3"):
        call_command("audit", "verify")


def test_verify_reports_truncated_tail(filled_chain):
    AuditEntry.objects.filter(seq=5).delete()
    with pytest.raises(CommandError, match="removed"):
        call_command("audit", "verify")


def test_verify_reports_rewritten_actor(filled_chain):
    AuditEntry.objects.filter(seq=1).update(actor_name="somebody-else")
    with pytest.raises(CommandError, match="entry 1"):
        call_command("audit", "verify")
