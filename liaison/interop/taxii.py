"""TAXII 2.1 server: the records a caller may see, as STIX, for partners' platforms to pull.

One API root per deployment (``/taxii2/liaison/``). Collections, per caller:
- ``agency``: everything shared with the caller's agency (what its officers see in the browser);
- one per sharing group of the caller's agency: records shared with that group;
- one per operation the caller is assigned to now: records shared with the operation or its phases.
Each serves what the caller may see (``liaison.sharing.visibility``) under the one onward-sharing
rule of every export (``liaison.interop.onward``, the caller's agency as the recipient): never
TLP:RED, AMBER only if the caller's agency sees it, another agency's H2/H3 never, protected
identities withheld. Read only: the server accepts no objects (``can_write`` false).

Paging: objects are ordered by the date their record was last written (TAXII's
``date_added``: a changed record is offered again), ``added_after`` and ``limit`` (at most
1,000 records a page), and ``next``, an opaque cursor. Authentication is the API's (a personal
API token, or a session that passed the second factor): DRF views with its authentication.
"""
import base64
import uuid
from datetime import datetime
from datetime import timezone as dt_timezone

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import renderers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.interop import onward, stix

MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
MAX_PAGE = 1000


class TaxiiRenderer(renderers.JSONRenderer):
    """DRF's JSON, written by orjson: a page of 1,000 objects in ~2 ms instead of ~12 ms with
    ``json`` (the same JSON: UTF-8, compact; what orjson cannot write, DRF's encoder converts)."""

    media_type = MEDIA_TYPE
    format = "taxii"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=self.encoder_class().default)


class TaxiiNegotiation(BaseContentNegotiation):
    """Every answer is TAXII JSON (errors included), whatever the client's Accept says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class TaxiiView(APIView):
    renderer_classes = [TaxiiRenderer]
    content_negotiation_class = TaxiiNegotiation
    # TAXII 2.1 is specified by OASIS (docs/interop-mapping.md), not by Liaison's
    # OpenAPI schema: its endpoints are left out of /api/schema/.
    schema = None

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # TAXII's error message: {"title": ..., "http_status": ...}
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"title": str(detail), "http_status": str(response.status_code)}
        return response


def error(status_code, title):
    return Response({"title": title, "http_status": str(status_code)}, status=status_code)


# --------------------------------------------------------------------------- collections


def collection_uuid(kind, pk):
    return str(uuid.uuid5(stix.namespace(), f"taxii:{kind}:{pk}"))


def collections_for(user):
    """{collection id: (title, description, Share filter Q or None)} of the collections ``user`` may read."""
    from liaison.operations.models import Operation
    from liaison.sharing.models import OperationAssignment, SharingGroup

    if user.agency_id is None:
        return {}
    found = dict([agency_collection(user)])
    for group in SharingGroup.objects.filter(members=user.agency_id).order_by("name"):
        found[collection_uuid("group", group.pk)] = (
            _("Sharing group: %(name)s") % {"name": group.name},
            _("Records shared with this sharing group."), Q(group_id=group.pk))
    assigned = OperationAssignment.objects.filter(user_id=user.pk, left_at__isnull=True).values("operation_id")
    for operation in Operation.objects.filter(pk__in=assigned).visible_to(user).order_by("name"):
        found[collection_uuid("operation", operation.pk)] = (
            _("Operation team: %(name)s") % {"name": operation.name},
            _("Records shared with this operation or its phases."),
            Q(operation_id=operation.pk) | Q(phase__operation_id=operation.pk))
    return found


def agency_collection(user):
    """(id, (title, description, None)) of the collection of everything shared with ``user``'s agency."""
    return collection_uuid("agency", user.agency_id), (
        _("Shared with %(agency)s") % {"agency": user.agency.short_name}, _("Every record your agency may see."), None)


def collection_resource(cid, title, description):
    return {"id": cid, "title": title, "description": description, "can_read": True, "can_write": False,
            "media_types": [STIX_MEDIA_TYPE]}


def _collection(request, cid):
    user = request.user
    if user.agency_id is not None:
        # The agency's own collection (what partners pull) without listing the groups and
        # operations, whose visibility filter costs more than the rest of a small page.
        own_id, own = agency_collection(user)
        if str(cid) == own_id:
            return own
    found = collections_for(user).get(str(cid))
    if found is None:
        return None
    return found


# --------------------------------------------------------------------------- paging


def taxii_timestamp(value):
    return value.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text):
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt_timezone.utc)


def encode_cursor(moment, rank, pk):
    return base64.urlsafe_b64encode(f"{taxii_timestamp(moment)}|{rank}|{pk}".encode()).decode()


def decode_cursor(token):
    try:
        moment, rank, pk = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        return parse_timestamp(moment), int(rank), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def page_of_records(user, share_q, *, added_after=None, cursor=None, limit=MAX_PAGE, match_types=None,
                    loader=None):
    """([(model, [records])...], more, next cursor, first and last date added) of one page.

    ``loader`` reads the page's records: ``stix.load_rows`` (tuples, no model instances) unless
    told otherwise; ``stix.load`` gives the same objects, slower (the tests compare the two)."""
    loader = loader or stix.load_rows
    audience = onward.OnwardAudience(user)
    from liaison.sharing.models import Share

    models = stix._models()
    kinds = []
    for rank, model in enumerate(models):
        qs = model.objects.all()
        if added_after is not None:
            qs = qs.filter(updated_at__gt=added_after)
        if cursor is not None:
            moment, crank, cpk = cursor
            if rank < crank:
                qs = qs.filter(updated_at__gt=moment)
            elif rank == crank:
                # updated_at >= moment first: the (updated_at, id) index's range start (registry 0009).
                qs = qs.filter(updated_at__gte=moment).filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=cpk))
            else:
                qs = qs.filter(updated_at__gte=moment)
        # The kind's first row since, visible or not (one index probe): none of its visible rows comes earlier.
        first = list(qs.order_by("updated_at", "pk").values_list("updated_at", flat=True)[:1])
        if first:
            kinds.append((first[0], rank, model, qs))
    kinds.sort(key=lambda kind: kind[:2])
    candidates = []
    for first, rank, model, qs in kinds:
        if len(candidates) > limit and candidates[limit] < (first, rank, 0):
            # The page and ``more`` are settled: every row of this kind, and of the kinds after it
            # (which begin later), comes after the last candidate needed. Building a kind's
            # visibility filter is the page's main cost once the data is indexed: a page of one
            # kind (the usual case: records are written in batches) builds one, not three.
            break
        qs = audience.narrow(qs)
        if share_q is not None:
            shared = Share.objects.filter(share_q, content_type=ContentType.objects.get_for_model(model))
            qs = qs.filter(pk__in=shared.values("object_id"))
        rows = qs.order_by("updated_at", "pk").values_list("updated_at", "pk")[: limit + 1]
        candidates.extend((moment, rank, pk) for moment, pk in rows)
        candidates.sort()
    page, more = candidates[:limit], len(candidates) > limit
    grouped = {}
    for _moment, rank, pk in page:
        grouped.setdefault(rank, []).append(pk)
    records = []
    for rank in sorted(grouped):
        model = models[rank]
        records.append((model, loader(model, grouped[rank])))
    nxt = encode_cursor(*page[-1]) if more else None
    first_last = (page[0][0], page[-1][0]) if page else (None, None)
    return records, more, nxt, first_last, audience


def page_objects(records, audience):
    """The STIX objects of the records of one page, each with the date its record was last written."""
    writer = stix.StixWriter(audience)
    out = []
    for model, items in records:
        out.extend(writer.objects(model, items))
    return out, writer


# --------------------------------------------------------------------------- views


class Discovery(TaxiiView):
    def get(self, request):
        root = request.build_absolute_uri(reverse("taxii:api-root"))
        return Response({"title": "Liaison TAXII 2.1", "description": _("Records you may see, as STIX 2.1."),
                         "default": root, "api_roots": [root]})


class ApiRoot(TaxiiView):
    def get(self, request):
        return Response({"title": "Liaison", "versions": [MEDIA_TYPE], "max_content_length": 10 * 1024 * 1024})


class Collections(TaxiiView):
    def get(self, request):
        found = collections_for(request.user)
        return Response({"collections": [collection_resource(cid, t, d) for cid, (t, d, _q) in found.items()]})


class CollectionDetail(TaxiiView):
    def get(self, request, collection_id):
        found = _collection(request, collection_id)
        if found is None:
            return error(404, _("No such collection."))
        return Response(collection_resource(str(collection_id), found[0], found[1]))


class _Paged(TaxiiView):
    """Objects and manifest: the same page, as objects or as their manifest entries."""

    def page(self, request, collection_id):
        found = _collection(request, collection_id)
        if found is None:
            return None, error(404, _("No such collection."))
        params = request.query_params
        added_after = cursor = None
        if params.get("added_after"):
            added_after = parse_timestamp(params["added_after"])
            if added_after is None:
                return None, error(400, _("added_after is not a timestamp such as 2026-01-31T00:00:00Z."))
        if params.get("next"):
            cursor = decode_cursor(params["next"])
            if cursor is None or cursor[0] is None:
                return None, error(400, _("next is not a value this server gave."))
        try:
            limit = min(max(int(params.get("limit") or MAX_PAGE), 1), MAX_PAGE)
        except ValueError:
            return None, error(400, _("limit must be a whole number."))
        records, more, nxt, (first, last), audience = page_of_records(
            request.user, found[2], added_after=added_after, cursor=cursor, limit=limit)
        objects, _writer = page_objects(records, audience)
        match_ids = {x for v in params.getlist("match[id]") for x in v.split(",")}
        match_types = {x for v in params.getlist("match[type]") for x in v.split(",")}
        if match_ids:
            objects = [o for o in objects if o["id"] in match_ids]
        if match_types:
            objects = [o for o in objects if o["type"] in match_types]
        if cursor is None and added_after is None and not match_ids and not match_types:
            objects = stix.extension_definitions() + objects
        envelope = {"more": more}
        if nxt:
            envelope["next"] = nxt
        headers = {}
        if first is not None:
            headers = {"X-TAXII-Date-Added-First": taxii_timestamp(first), "X-TAXII-Date-Added-Last": taxii_timestamp(last)}
        return (envelope, objects, first, last), headers


class Objects(_Paged):
    def get(self, request, collection_id):
        result, headers = self.page(request, collection_id)
        if result is None:
            return headers
        envelope, objects, _first, _last = result
        if objects:
            envelope["objects"] = objects
        self._audit(request, objects)
        return Response(envelope, headers=headers)

    def post(self, request, collection_id):
        return error(403, _("This server accepts no objects: its collections are read only."))

    @staticmethod
    def _audit(request, objects):
        """One INTEROP_EXPORT entry per owner agency whose records this page carried."""
        from collections import Counter

        from liaison.audit import log as audit
        from liaison.audit.models import AuditEntry
        from liaison.sharing.models import Agency

        owners = Counter(o["extensions"][stix.RECORD_EXTENSION]["owner"] for o in objects
                         if o.get("extensions", {}).get(stix.RECORD_EXTENSION, {}).get("owner"))
        ids = dict(Agency.objects.filter(short_name__in=owners).order_by().values_list("short_name", "pk"))
        for short_name, count in sorted(owners.items()):
            audit.record(AuditEntry.Action.INTEROP_EXPORT, request.user, None, owner_agency=Agency(pk=ids[short_name]),
                         format="taxii", objects=count, collection=str(request.parser_context["kwargs"]["collection_id"]))


class Manifest(_Paged):
    def get(self, request, collection_id):
        result, headers = self.page(request, collection_id)
        if result is None:
            return headers
        envelope, objects, first, _last = result
        if objects:
            envelope["objects"] = [{
                "id": o["id"], "date_added": o.get("modified") or (taxii_timestamp(first) if first else stix.EPOCH),
                "version": o.get("modified") or o.get("created") or stix.EPOCH, "media_type": STIX_MEDIA_TYPE,
            } for o in objects]
        return Response(envelope, headers=headers)
