"""A paginator that counts only up to a cap ("more than 10,000 records").

An exact count of a list of a million persons filtered by visibility reads
every matching row (3 s at a million persons, bench/README.md), only to print
a number nobody needs beyond "a lot". ``CappedPaginator`` stops counting at
``cap``; pages beyond it still work (one extra row is read to know whether
there is a next page), so the API can still be walked to the end.
"""
from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def _counted(self):
        """Matching rows, counted up to ``cap + 1``."""
        object_list = self.object_list
        if hasattr(object_list, "values") and hasattr(object_list, "order_by"):
            # values("pk"): annotations the list shows are not needed to count it.
            return object_list.values("pk").order_by()[: self.cap + 1].count()
        return len(object_list)

    @property
    def count_is_capped(self):
        """True when there are more than ``cap`` rows and ``count`` is only the cap."""
        return self._counted > self.cap

    @cached_property
    def count(self):
        return min(self._counted, self.cap)

    def validate_number(self, number):
        if not self.count_is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number):
        """Like Django's: a page past the end gives the last counted page."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        if not self.count_is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class CappedPage(Page):
    """A page past which the paginator did not count: it knows only whether another follows."""

    def __init__(self, object_list, number, paginator, more):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more

    def end_index(self):
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)
