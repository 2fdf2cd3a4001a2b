"""Who reads a copy on a peer: the onward rule of interchange (``liaison.interop.onward``) with one
difference for protected identities.

A file or a TAXII page leaves Liaison's control, so a protected identity goes in it only if every
reader may read it. A copy on a peer node stays under Liaison's rule: the receiving node grants
the identity only to the agencies named in the delivery's ``identity_to`` (the recipients that
may read it on the owner's node), and withholds it from the others there, as one node would. So
the identity leaves when one recipient of the peer may read it, not only when all of them may;
when none may, the copy arrives with its identity withheld ("Protected identity – withheld").
"""
from liaison.interop.onward import OnwardAudience


def identity_models():
    """The kinds of record with a protected identity (persons)."""
    from liaison.registry.models import Person

    return (Person,)


class NodeAudience(OnwardAudience):
    """``OnwardAudience`` of the owner and the peer's recipients of a group of records;
    ``identity_readers`` (recipient readers) set for records with a protected identity."""

    identity_readers = None  # None: the onward rule (every reader); a list: the owner and these

    def _identity_audience(self):
        return [self.readers[0], *self.identity_readers]

    def readable_protected(self, model, ids):
        if self.identity_readers is None:
            return super().readable_protected(model, ids)
        if not self.identity_readers or not ids:
            return set()
        from liaison.sharing.visibility import protected_visible_q

        qs = model.objects.filter(pk__anyof=list(ids))
        for reader in self._identity_audience():
            qs = qs.filter(protected_visible_q(model, reader))
        return set(qs.values_list("pk", flat=True))

    def withheld_citation_ids(self, citations):
        if self.identity_readers is None or not self.identity_readers:
            return super().withheld_citation_ids(citations)
        from django.db.models import Q

        from liaison.sharing.visibility import withheld_citations_q

        q = Q(pk__in=[])
        for reader in self._identity_audience():
            q |= withheld_citations_q(reader)
        return set(citations.filter(q).values_list("pk", flat=True))
