"""The one onward-sharing rule of interchange: what may go into a STIX bundle, a TAXII page,
a MISP event or a FollowTheMoney file, which all leave Liaison's control (no retraction, no
access log reaches a record once it is in another system).

Every record read goes through ``liaison.sharing.visibility`` for each reader: the exporting
officer (or the TAXII caller) and the recipient agency. Then:

- TLP:RED never leaves, not even for its owner;
- TLP:AMBER and AMBER+STRICT go only to a recipient that may see the record in Liaison.
  With no recipient named, the recipient is the officer's own agency (TLP:AMBER may be
  shared within the recipient's organisation): an AMBER record the officer sees only
  through an operation assignment, which the agency does not see, stays home;
- another agency's record marked H2 or H3 (no onward sharing without the owner's
  permission; owner-defined restrictions) never leaves: only the owner exports its own;
- a protected identity (victim, witness, informant) is withheld, with the identifiers and
  links tied to it and the quoted words citing it, unless a recipient agency is named and
  both it and the officer may read that identity. A file with no named recipient can end
  up anywhere, so naming the recipient (the officer's own agency included) is the one way
  to let an identity leave.

``OnwardAudience`` is the one implementation; ``refusal`` says why an event or a list asked
for may not leave. The STIX writer, the TAXII server, the MISP and the FtM exports all use them.
"""
from django.db.models import Q

from liaison.core.models import TLP, Handling

AMBER_LEVELS = (TLP.AMBER, TLP.AMBER_STRICT)
RESTRICTED_HANDLING = (Handling.H2, Handling.H3)


class RecipientAgency:
    """The recipient agency as a reader: what any of its officers may see through shares to it or
    its groups (no operation assignment: those belong to officers, not to the agency)."""

    pk = None
    is_authenticated = True
    is_active = True
    roles = ()
    screening_only = False

    def __init__(self, agency):
        self.agency = agency
        self.agency_id = agency.pk

    def get_username(self):
        return self.agency.short_name


class OnwardAudience:
    """Everyone who will read the output (see the module's docstring): a record leaves only
    if every reader may see it and the onward rules let it go; a protected field only if a
    recipient is named and every reader may read it."""

    def __init__(self, user, recipient=None):
        self.user = user
        self.recipient = recipient
        self.readers = [user]
        if recipient is not None:
            self.readers.append(RecipientAgency(recipient))
        agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
        # With no recipient named, the officer's own agency is the recipient of AMBER records.
        self.amber_reader = RecipientAgency(agency) if recipient is None and agency is not None else None

    @property
    def named_recipient(self):
        return self.recipient is not None

    @property
    def agency_id(self):
        return getattr(self.user, "agency_id", None)

    def narrow(self, queryset, *, among=None):
        """``queryset`` narrowed to what may leave for this audience; ``among``: the ids it is
        taken from (``filter_visible``'s form for a batch of ids)."""
        from liaison.sharing.visibility import filter_visible

        for reader in self.readers:
            queryset = filter_visible(queryset, reader, among=among)
        queryset = queryset.exclude(tlp=TLP.RED)
        queryset = queryset.filter(Q(owner_id=self.agency_id) | ~Q(handling__in=RESTRICTED_HANDLING))
        if not self.named_recipient:
            if self.amber_reader is None:
                queryset = queryset.exclude(tlp__in=AMBER_LEVELS)
            else:
                agency_sees = filter_visible(queryset.model.objects.filter(tlp__in=AMBER_LEVELS), self.amber_reader)
                queryset = queryset.filter(~Q(tlp__in=AMBER_LEVELS) | Q(pk__in=agency_sees.order_by().values("pk")))
            queryset = _without_links_to_protected(queryset)
        return queryset

    def visible_ids(self, model, ids):
        ids = {pk for pk in ids if pk is not None}
        if not ids:
            return set()
        return set(self.narrow(model.objects.all(), among=ids).order_by().values_list("pk", flat=True))

    def readable_protected(self, model, ids):
        """Of ``ids``, the records whose protected fields may leave: none without a named
        recipient, else those every reader may read."""
        from liaison.sharing.visibility import protected_visible_q

        if not self.named_recipient or not ids:
            return set()
        qs = model.objects.filter(pk__anyof=list(ids))
        for reader in self.readers:
            qs = qs.filter(protected_visible_q(model, reader))
        return set(qs.values_list("pk", flat=True))

    def withheld_citation_ids(self, citations):
        """Of ``citations``, those whose quoted words and location stay home (they cite a
        protected person whose identity does not leave)."""
        from django.contrib.contenttypes.models import ContentType

        from liaison.registry.models import Person
        from liaison.sharing.visibility import withheld_citations_q

        if not self.named_recipient:
            person_ct = ContentType.objects.get_for_model(Person)
            protected = Person.objects.exclude(protection="").order_by().values("pk")
            return set(citations.filter(content_type=person_ct, object_id__in=protected).values_list("pk", flat=True))
        q = Q(pk__in=[])
        for reader in self.readers:
            q |= withheld_citations_q(reader)
        return set(citations.filter(q).values_list("pk", flat=True))


def _without_links_to_protected(queryset):
    """With no named recipient nobody outside may read a protected identity: the identifiers
    and links tied to any protected person stay home, whoever owns them (the same rule as
    ``visibility._without_withheld_links`` for a reader who may read no protected identity)."""
    from django.contrib.contenttypes.models import ContentType

    from liaison.registry.models import Identifier, Person, Relationship

    model = queryset.model
    if model not in (Identifier, Relationship):
        return queryset
    person_ct = ContentType.objects.get_for_model(Person)
    protected = Person.objects.exclude(protection="").order_by().values("pk")
    if model is Relationship:
        return queryset.exclude(Q(subject_type=person_ct, subject_id__in=protected)
                                | Q(object_type=person_ct, object_id__in=protected))
    identifier_ct = ContentType.objects.get_for_model(Identifier)
    links = Relationship.objects.filter(retracted_at__isnull=True)
    as_subject = links.filter(subject_type=identifier_ct, object_type=person_ct, object_id__in=protected).values("subject_id")
    as_object = links.filter(object_type=identifier_ct, subject_type=person_ct, subject_id__in=protected).values("object_id")
    return queryset.exclude(Q(pk__in=as_subject) | Q(pk__in=as_object))


def refusal(record, audience):
    """Why ``record`` (the event, operation or list asked for) may not leave for ``audience``, or None.
    Only called on a record the officer sees, so the answers tell nothing new."""
    from django.utils.translation import gettext as _

    if record.tlp == TLP.RED:
        return _("This record is marked TLP:RED: it never leaves Liaison.")
    if not audience.narrow(type(record).objects.all(), among=[record.pk]).exists():
        if record.handling in RESTRICTED_HANDLING and record.owner_id != audience.agency_id:
            return _("The owner agency's handling code forbids onward sharing without its permission.")
        if record.tlp in AMBER_LEVELS and not audience.named_recipient:
            return _("This record is marked TLP:AMBER and your agency does not see it: name a recipient agency "
                     "that already sees it in Liaison.")
        return _("The recipient agency may not see this record.")
    return None
