"""The single place where Liaison decides which records a user may see.

Every read path (API, pages, search, counts, dashboards, graph, history,
exports) narrows its queryset with ``filter_visible`` via
``Model.objects.visible_to(user)``. A record outside that set does not exist
for the user: views answer 404, never 403.
"""
import time
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from liaison.core.models import Distribution


def user_agency_id(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.agency_id


# How long ids read by ``reach_read_once`` may be used; and a counter that
# assignment, phase and group-membership changes in this process bump
# (sharing/apps.py), which drops them at once.
REACH_SECONDS = 2.0
_reach_generation = [0]


def reach_changed(**_kwargs):
    """Signal receiver: an operation assignment, a phase or a group membership changed."""
    _reach_generation[0] += 1


def _reach_key(user):
    return user_agency_id(user), getattr(user, "pk", None), _reach_generation[0]


def _reach_ids(user):
    """(sharing groups of the user's agency, operations the user is assigned to as a
    whole, phases assigned or belonging to those operations), in one query."""
    from django.db import connections, router

    from liaison.operations.models import Phase
    from liaison.sharing.models import OperationAssignment, SharingGroup

    through = SharingGroup.members.through._meta
    assignment, phase = OperationAssignment._meta.db_table, Phase._meta.db_table
    sql = (
        f"SELECT 0, {through.get_field('sharinggroup').column}, NULL FROM {through.db_table} "
        f"WHERE {through.get_field('agency').column} = %s "
        f"UNION ALL SELECT 1, operation_id, phase_id FROM {assignment} WHERE user_id = %s AND left_at IS NULL "
        f"UNION ALL SELECT 2, p.operation_id, p.id FROM {phase} p JOIN {assignment} a ON a.operation_id = p.operation_id "
        f"WHERE a.user_id = %s AND a.left_at IS NULL AND a.phase_id IS NULL"
    )
    groups, whole, phases = set(), set(), set()
    user_id = getattr(user, "pk", None)
    with connections[router.db_for_read(OperationAssignment)].cursor() as cursor:
        cursor.execute(sql, [user_agency_id(user), user_id, user_id])
        for kind, first, second in cursor.fetchall():
            if kind == 0:
                groups.add(first)
            elif second is None:
                whole.add(first)  # an assignment to the whole operation...
            else:
                phases.add(second)  # ...covers all its phases (kind 2), or one phase (kind 1)
    return sorted(groups), sorted(whole), sorted(phases)


@contextmanager
def reach_read_once(user):
    """Within the block, the share tests of ``user`` hold the ids of their groups,
    operations and phases (read in one query) instead of subqueries.

    For code that builds many visibility-filtered querysets for one user:
    search builds seven, and Django compiled the nested subqueries of
    ``reaches`` again for each, a third of the search's Python time at a million
    records (bench/README.md). Elsewhere the subqueries stay: one query more per
    request would not pay. The ids are used for ``REACH_SECONDS`` at most and
    dropped at once when an assignment, a phase or a group membership changes in
    this process, so a long block cannot keep an officer on an operation he left.
    """
    if not hasattr(user, "__dict__") or user_agency_id(user) is None or "_visibility_reach" in user.__dict__:
        yield
        return
    user.__dict__["_visibility_reach"] = (_reach_key(user), time.monotonic(), _reach_ids(user))
    try:
        yield
    finally:
        user.__dict__.pop("_visibility_reach", None)


def _kept_reach(user):
    kept = getattr(user, "__dict__", {}).get("_visibility_reach")
    if kept is not None and kept[0] == _reach_key(user) and time.monotonic() - kept[1] < REACH_SECONDS:
        return kept[2]
    return None


def reaches(user):
    """A Q over ``Share`` rows that reach ``user``: shares to their agency, to a
    sharing group their agency belongs to, or to an operation or phase they are
    assigned to right now (an operation assignment covers all its phases)."""
    from liaison.sharing.models import OperationAssignment

    agency_id = user_agency_id(user)
    kept = _kept_reach(user)
    if kept is not None:  # inside reach_read_once
        groups, whole_operations, phases = kept
        q = Q(agency_id=agency_id)
        if groups:
            q |= Q(group_id__in=groups)
        if whole_operations:
            q |= Q(operation_id__in=whole_operations)
        if phases:
            q |= Q(phase_id__in=phases)
        return q
    q = Q(agency_id=agency_id) | Q(group__members=agency_id)
    active = OperationAssignment.objects.filter(user_id=user.pk, left_at__isnull=True)
    whole_operations = active.filter(phase__isnull=True).values("operation_id")
    phases = active.filter(phase__isnull=False).values("phase_id")
    q |= Q(operation_id__in=whole_operations) | Q(phase__operation_id__in=whole_operations) | Q(phase_id__in=phases)
    return q


def filter_visible(queryset, user, *, per_row=False, among=None):
    """``queryset`` narrowed to the records ``user`` may see.

    ``per_row=True`` when ``queryset`` is already narrowed to a handful of rows
    (search hits by id): same rule, tested per row instead of per query.
    ``among``: ids the records are taken from (a batch of hundreds, as federation
    sends): same rule, its shares looked up for those ids only. PostgreSQL may
    hash a per-row EXISTS anyway when it expects hundreds of rows, reading every
    share of the type (50 ms at 100,000, and growing with the registry).
    """
    from liaison.sharing.models import Share

    if getattr(user, "screening_only", False):
        # A border screening account reads no record (not even public ones): it
        # learns of a hit only the agency to contact (liaison/screening).
        return queryset.none()
    if among is not None:
        among = list(among)
        queryset = queryset.filter(pk__in=among)
    agency_id = user_agency_id(user)
    live = Q() if getattr(user, "ignore_retraction", False) else Q(retracted_at__isnull=True)
    public = Q(distribution=Distribution.PUBLIC) & live
    queryset = _without_withheld_links(queryset, user, agency_id)
    if agency_id is None:
        return queryset.filter(public)

    agency = user.agency
    shares = Share.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
    ).filter(reaches(user))
    if among is not None:
        shares = shares.filter(object_id__in=among)
        per_row = False
    if per_row:
        # A correlated EXISTS probes the (content_type, object_id) index once per
        # candidate row; the IN below hashes every share of the type to the
        # user first, 50–90 ms at a million records whatever the rows asked for.
        received = Q(distribution=Distribution.SHARED) & Q(Exists(shares.filter(object_id=OuterRef("pk"))))
    else:
        # An uncorrelated IN, not a correlated EXISTS: under an OR PostgreSQL runs
        # EXISTS once per row, but hashes the IN list once per query (the
        # benchmark's filtered list got twice as fast; bench/README.md).
        received = Q(distribution=Distribution.SHARED, pk__in=shares.values("object_id"))
    if agency.is_member:
        received |= Q(distribution=Distribution.MEMBERS)
    others = (received | Q(distribution=Distribution.PUBLIC)) & live
    return queryset.filter(Q(owner_id=agency_id) | others)


def withheld_persons(user):
    """The protected persons (victims, witnesses, informants) whose identity
    ``user`` may not read, as a subquery of ids; visible or not, shared or not."""
    from liaison.registry.models import Person

    return Person.objects.exclude(protection="").exclude(protected_visible_q(Person, user)).order_by().values("pk")


def withheld_citations_q(user):
    """A ``Q`` for the citations whose quoted words and location ``user`` may not
    read: those supporting a protected person whose identity is withheld from
    them. The words that state a fact about a victim name her more often than
    not ("<her name> told us"), and the location points at the passage of the
    source that does. The citation itself (which source supports the record)
    stays visible: it names nobody."""
    from django.apps import apps

    person_ct = ContentType.objects.get_for_model(apps.get_model("registry", "Person"))
    return Q(content_type=person_ct, object_id__in=withheld_persons(user))


def with_citation_text_withheld(citations, user):
    """``citations`` (a Citation queryset) annotated with ``text_withheld`` for
    ``user``. Readers blank ``evidence`` and ``location`` where it is true;
    ``citations_for`` does so for pages."""
    from django.db.models import BooleanField, ExpressionWrapper

    return citations.annotate(text_withheld=ExpressionWrapper(withheld_citations_q(user), output_field=BooleanField()))


def citations_for(user, citations):
    """The citations of a Citation queryset as a list, with the quoted words and
    location blanked where ``user`` may not read them (see ``withheld_citations_q``)."""
    result = list(with_citation_text_withheld(citations, user))
    for citation in result:
        if citation.text_withheld:
            citation.evidence = citation.location = ""
    return result


def _without_withheld_links(queryset, user, agency_id):
    """Protection follows the person (issue 10): the identifiers and the links of
    a protected person are withheld from everyone who may not read that
    person's identity, whatever their own shares say. A victim's e-mail address
    or handle names her as surely as her name does, and a link to her tells who
    she is with. Records the reader's own agency owns stay visible: it wrote them.

    Done here, in the one enforcement path, so that pages, graph, search, lists,
    API, exports, matching and requests all follow without a rule of their own.
    """
    from django.apps import apps

    model = queryset.model
    relationship = apps.get_model("registry", "Relationship")
    identifier = apps.get_model("registry", "Identifier")
    if model not in (relationship, identifier):
        return queryset
    person_ct = ContentType.objects.get_for_model(apps.get_model("registry", "Person"))
    own = Q(owner_id=agency_id) if agency_id is not None else Q(pk__in=[])
    # Correlated EXISTS (the person at this end, protected and withheld), not
    # "IN (every withheld person)": the IN form made PostgreSQL work out every
    # withheld identity of the registry for each query, 1.4 s at a million
    # persons for four identifiers; EXISTS probes the person's primary key per
    # row, or hashes when many rows are asked for (bench/README.md, link analysis).
    if model is relationship:
        touches = (Q(subject_type=person_ct) & Q(_withheld_person_at(user, "subject_id"))) | (
            Q(object_type=person_ct) & Q(_withheld_person_at(user, "object_id")))
        return queryset.filter(own | ~touches)
    identifier_ct = ContentType.objects.get_for_model(identifier)
    links = relationship.objects.filter(retracted_at__isnull=True)
    as_subject = links.filter(subject_type=identifier_ct, subject_id=OuterRef("pk"), object_type=person_ct).filter(
        _withheld_person_at(user, "object_id"))
    as_object = links.filter(object_type=identifier_ct, object_id=OuterRef("pk"), subject_type=person_ct).filter(
        _withheld_person_at(user, "subject_id"))
    return queryset.filter(own | ~(Q(Exists(as_subject)) | Q(Exists(as_object))))


def _withheld_person_at(user, column):
    """EXISTS: the person whose id is in ``column`` of the outer row is one of
    ``withheld_persons(user)`` (protected, identity not readable by ``user``)."""
    from django.apps import apps

    person = apps.get_model("registry", "Person")
    return Exists(person.objects.filter(pk=OuterRef(column)).exclude(protection="")
                  .exclude(protected_visible_q(person, user)))


def is_visible(record, user):
    return filter_visible(type(record).objects.filter(pk=record.pk), user).exists()


def can_see_protected(record, user):
    """Whether ``user`` may read the protected fields of ``record``.

    Protected fields (identities and contact details of victims, witnesses
    and informants) are visible to the owner agency, and to agencies whose
    share of the record explicitly includes them; to nobody else, even when
    the record itself is shared.
    """
    from liaison.sharing.models import Share

    agency_id = user_agency_id(user)
    if agency_id is None:
        return False
    if record.owner_id == agency_id:
        return True
    return Share.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        include_protected=True,
    ).filter(reaches(user)).exists()


def visible_keys(user, refs):
    """Of ``refs`` (pairs of content-type id and object id), those ``user`` may see.

    One query per model, whatever the number of refs: relationship and graph
    views use it to show a link to an invisible record as "a record you cannot
    see" without loading it.
    """
    by_type = {}
    for ct_id, obj_id in refs:
        by_type.setdefault(ct_id, set()).add(obj_id)
    seen = set()
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        manager = model.objects
        qs = manager.filter(pk__in=ids)
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(user)
        seen.update((ct_id, pk) for pk in qs.values_list("pk", flat=True))
    return seen


def protected_visible_q(model, user):
    """A ``Q`` for the rows of ``model`` whose protected fields ``user`` may read.

    The queryset form of ``can_see_protected``, so that a list of records can
    withhold protected fields (and refuse to filter or sort on them) without
    one query per record.
    """
    from liaison.sharing.models import Share

    agency_id = user_agency_id(user)
    if agency_id is None:
        return Q(pk__isnull=True)  # matches no saved row
    grants = Share.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        include_protected=True,
    ).filter(reaches(user))
    return Q(owner_id=agency_id) | Q(Exists(grants))


def retraction_notice(model, pk, user):
    """For a record the user cannot see: the retraction date if it was visible to
    them before its owner retracted it, else None. Shown instead of a bare 404
    so that recipients know to stop relying on what they had read; it reveals
    nothing of the content."""
    from liaison.sharing.models import RecordSeen

    record = model.objects.filter(pk=pk, retracted_at__isnull=False).first()
    if record is None:
        return None
    agency_id = user_agency_id(user)
    if agency_id is None or not RecordSeen.objects.filter(
        agency_id=agency_id, content_type=ContentType.objects.get_for_model(model), object_id=pk,
    ).exists():
        return None  # never opened by this agency: nothing to tell it
    unretracted = filter_visible(model.objects.filter(pk=pk), _Unretracted(user))
    if not unretracted.exists():
        return None
    return record.retracted_at


def mark_seen(record, user):
    """Remember that ``user``'s agency opened ``record`` (one INSERT, no read first)."""
    from liaison.sharing.models import RecordSeen

    agency_id = user_agency_id(user)
    if agency_id is None or record.owner_id == agency_id:
        return
    RecordSeen.objects.bulk_create(
        [RecordSeen(agency_id=agency_id, content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk)],
        ignore_conflicts=True,
    )


class _Unretracted:
    """A stand-in user for ``retraction_notice``: the real user's agency, but
    evaluated as if retractions did not exist."""

    def __init__(self, user):
        self._user = user
        self.pk = getattr(user, "pk", None)
        self.is_authenticated = getattr(user, "is_authenticated", False)
        self.is_active = getattr(user, "is_active", False)
        self.agency_id = getattr(user, "agency_id", None)
        self.agency = getattr(user, "agency", None)
        self.ignore_retraction = True


def reveal_protected(record, user):
    """``can_see_protected`` plus the access log: every time protected fields of a
    protected record are shown to someone, an audit entry records who and what."""
    if not getattr(record, "protection", ""):
        return True
    allowed = can_see_protected(record, user)
    if allowed:
        from liaison.audit import log as audit
        from liaison.audit.models import AuditEntry

        audit.record(AuditEntry.Action.READ_PROTECTED, user, record, protection=record.protection)
    return allowed
