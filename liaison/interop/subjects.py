"""What the interchange page may export: the events, operations and source lists a user
may see, offered by the project's searchable picker (``liaison.web.pickers``: always
from ``visible_to(user)``; a value the user may not see is refused like one that does not
exist). Values are "event:ID", "operation:ID", "source:ID"."""
from django.db.models import Q
from django.utils.translation import gettext_lazy

from liaison.web.pickers import FIRST, LIMIT, Option, record_number


def _models():
    from liaison.operations.models import Event, Operation
    from liaison.registry.models import Source

    return {"event": (Event, "title", gettext_lazy("Events")), "operation": (Operation, "name", gettext_lazy("Operations")),
            "source": (Source, "title", gettext_lazy("Sources"))}


class SubjectSource:
    kind = "interop-subjects"

    @staticmethod
    def _queryset(kind, user):
        model, label_field, _group = _models()[kind]
        return model.objects.visible_to(user).select_related("owner").order_by("-pk")

    @staticmethod
    def _options(kind, records):
        _model, label_field, group = _models()[kind]
        options = []
        for r in records:
            if kind == "event":
                detail = " · ".join(filter(None, [r.get_kind_display(), r.date, r.place, r.owner.short_name, f"#{r.pk}"]))
            elif kind == "source":
                detail = " · ".join(filter(None, [r.get_kind_display(), r.owner.short_name, f"#{r.pk}"]))
            else:
                detail = " · ".join(filter(None, [r.owner.short_name, f"#{r.pk}"]))
            options.append(Option(f"{kind}:{r.pk}", getattr(r, label_field) or f"#{r.pk}", detail, str(group)))
        return options

    def search(self, user, query, limit=LIMIT):
        number = record_number(query)
        options = []
        for kind, (_model, label_field, _group) in _models().items():
            qs = self._queryset(kind, user)
            if query:
                qs = qs.filter(Q(**{f"{label_field}__icontains": query}) | (Q(pk=number) if number is not None else Q(pk__in=[])))
            options += self._options(kind, qs[: max(1, limit // 3)])
        return options

    def first(self, user, limit=FIRST):
        options = []
        for kind in _models():
            options += self._options(kind, self._queryset(kind, user)[:limit])
        return options

    def chosen(self, user, values):
        options = []
        for value in values:
            kind, pk = self.parse(value)
            if kind is not None:
                options += self._options(kind, self._queryset(kind, user).filter(pk=pk))
        return options

    @staticmethod
    def parse(value):
        kind, _sep, pk = str(value).partition(":")
        if kind not in _models() or not pk.isdigit():
            return None, None
        return kind, int(pk)

    @classmethod
    def record(cls, user, value):
        kind, pk = cls.parse(value)
        if kind is None:
            return None, None
        return kind, cls._queryset(kind, user).filter(pk=pk).first()
