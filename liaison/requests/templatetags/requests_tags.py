"""``{% load requests_tags %}{% unread_notices %}``: the number of unread inbox
notices of the logged-in officer, for the navigation bar (one COUNT query)."""
from django import template

from liaison.requests.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context):
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "agency_id", None):
        return 0
    return unread_count(user)
