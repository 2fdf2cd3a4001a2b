"""The parts of a detail page that every record type has: relationships,
citations and history. Each costs a fixed number of queries, whatever the
number of rows, so a record with hundreds of links stays fast.
"""
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.fields import BooleanField
from django.utils.translation import gettext as _

from liaison.registry.models import Citation, Person, Relationship, Source
from liaison.sharing.visibility import protected_visible_q, visible_keys

from .common import url_for


@dataclass
class Ref:
    """A link to another record as the user may see it."""

    visible: bool
    label: str = ""
    url: str = ""
    kind: str = ""
    direction: str = "auto"
    record: object = None


HIDDEN = Ref(visible=False)


def label_of(record):
    """The text a link shows; a protected identity the user may not read shows no name."""
    if isinstance(record, Person) and record.protection and not getattr(record, "identity_readable", False):
        return _("Protected identity")
    return str(record)


def with_identity_flag(queryset, user):
    """Annotate persons with ``identity_readable`` (one query for any number of rows),
    and order them by ``sort_name``, blank for every protected identity: sorting by
    the real name would let paging narrow down a withheld name alphabetically."""
    readable = Q(protection="") | protected_visible_q(Person, user)
    return queryset.annotate(
        identity_readable=Case(When(readable, then=Value(True)), default=Value(False), output_field=BooleanField()),
        readable_name=Case(When(readable, then=F("display_name")), default=Value(""), output_field=CharField()),
    ).order_by("sort_name", "id")


def resolve(user, refs):
    """Map (content type id, object id) pairs to ``Ref``s; invisible ones become HIDDEN."""
    refs = set(refs)
    seen = visible_keys(user, refs)
    by_type = {}
    for ct_id, obj_id in seen:
        by_type.setdefault(ct_id, []).append(obj_id)
    out = {ref: HIDDEN for ref in refs}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        qs = model.objects.filter(pk__in=ids)
        if model is Person:
            qs = with_identity_flag(qs, user)
        for record in qs:
            out[(ct_id, record.pk)] = Ref(
                visible=True, label=label_of(record), url=url_for(record),
                kind=str(model._meta.verbose_name), record=record,
            )
    return out


@dataclass
class Link:
    relationship: Relationship
    outgoing: bool
    other: Ref
    other_model: type

    @property
    def phrase(self):
        kind = self.relationship.get_kind_display()
        return kind if self.outgoing else _("%(kind)s (inverse)") % {"kind": kind}


def relationships(record, user):
    """Visible relationships of ``record`` in both directions, with the other end resolved."""
    ct = ContentType.objects.get_for_model(record)
    rels = list(
        Relationship.objects.visible_to(user)
        .filter(Q(subject_type=ct, subject_id=record.pk) | Q(object_type=ct, object_id=record.pk))
        .select_related("owner")
    )
    ends = []
    for rel in rels:
        outgoing = rel.subject_type_id == ct.id and rel.subject_id == record.pk
        ends.append((rel, outgoing, (rel.object_type_id, rel.object_id) if outgoing else (rel.subject_type_id, rel.subject_id)))
    resolved = resolve(user, [end for _rel, _out, end in ends])
    return [
        Link(rel, outgoing, resolved[end], ContentType.objects.get_for_id(end[0]).model_class())
        for rel, outgoing, end in ends
    ]


def citations(record, user):
    """Citations of ``record`` whose source the user may see; quoted words that
    would name a withheld identity blanked (visibility.citations_for)."""
    from liaison.sharing.visibility import citations_for

    ct = ContentType.objects.get_for_model(record)
    return citations_for(
        user,
        Citation.objects.filter(content_type=ct, object_id=record.pk, source__in=Source.objects.visible_to(user))
        .select_related("source")
        .order_by("id"),
    )


_SKIP = {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "history_user_id",
         "id", "updated_at", "created_at", "search_key", "content_hash", "normalized", "display_name"}


@dataclass
class Change:
    """One line of history. ``who`` is the officer's user name, shown only to
    their own agency (``agency_id``); other agencies see ``agency``, so a
    recipient never learns which officer handles, say, an informant."""

    when: object
    who: str
    what: str
    agency_id: object = None
    agency: str = ""


def history(record, children=(), limit=100):
    """Who changed what and when, for ``record`` and its child rows (names, figures…).

    ``children`` is a list of (historical queryset, noun) pairs. Values of the
    record's own fields are not repeated here (the page shows the current
    ones); child rows are named by their text so "name added: 明国平" reads
    as the officer typed it.
    """
    entries = []
    own = list(record.history.select_related("history_user__agency").order_by("history_date", "history_id")[:limit])
    entries += _changes(own, None)
    for qs, noun in children:
        rows = list(qs.select_related("history_user__agency").order_by("history_date", "history_id")[:limit])
        entries += _changes(rows, noun)
    entries.sort(key=lambda c: c.when, reverse=True)
    return entries[:limit]


def _changes(rows, noun):
    last = {}
    out = []
    for row in rows:
        author = row.history_user if row.history_user_id else None
        who = author.get_username() if author else _("system")
        agency_id = author.agency_id if author else None
        agency = author.agency.short_name if author and author.agency_id else ""
        fields = [f for f in row._meta.fields if f.name not in _SKIP and not f.name.startswith("history_")]
        prev = last.get(row.id)
        label = f"{noun} “{row.instance}”" if noun else ""
        if row.history_type == "+":
            what = _("added %(what)s") % {"what": label} if noun else _("created")
        elif row.history_type == "-":
            what = _("removed %(what)s") % {"what": label} if noun else _("deleted")
        else:
            changed = [str(f.verbose_name) for f in fields if prev is None or getattr(prev, f.attname) != getattr(row, f.attname)]
            if not changed:
                last[row.id] = row
                continue
            what = (_("changed %(what)s: %(fields)s") if noun else _("changed %(fields)s")) % {
                "what": label, "fields": ", ".join(changed)
            }
        out.append(Change(row.history_date, who, what, agency_id, agency))
        last[row.id] = row
    return out
