"""``liaison demo load`` as plain functions, so tests call them directly.

``load()`` is idempotent and atomic: agencies and users are matched by their
unique short name and username; the story and the synthetic data are written
once, in the same transaction, and recognised afterwards by the seed sources
they cite. A second run therefore changes nothing.
"""
from dataclasses import dataclass

from django.db import transaction

from liaison.demo import agencies as demo_agencies
from liaison.demo import demo_intake, demo_map, demo_matching, demo_public, demo_report, demo_requests, story, synthetic
from liaison.demo import demo_links
from liaison.registry.models import Source


@dataclass
class LoadResult:
    created: bool
    agencies: dict
    users: dict


def is_loaded():
    return Source.objects.filter(kind=Source.Kind.NEWS, reference=story.SEEDS[0][0], owner__short_name="LMLECC").exists()


@transaction.atomic
def load():
    agencies = demo_agencies.ensure_agencies()
    users = demo_agencies.ensure_users(agencies)
    if is_loaded():
        return LoadResult(False, agencies, users)
    story.load_story(agencies)
    synthetic.build(agencies)
    demo_requests.load(agencies, users)
    demo_matching.load(agencies, users)
    demo_intake.load(agencies, users)
    demo_public.load(agencies, users)
    demo_map.load(agencies, users)
    demo_report.load(agencies, users)
    demo_links.load(agencies, users)
    return LoadResult(True, agencies, users)


def logins():
    """(username, agency, roles) of the demo users that exist."""
    from liaison.sharing.models import Role, User

    labels = dict(Role.choices)
    found = {u.username: u for u in User.objects.select_related("agency").filter(
        username__in=[row[0] for row in demo_agencies.USERS])}
    rows = []
    for username, *_rest in demo_agencies.USERS:
        user = found.get(username)
        if user is not None:
            agency = f"{user.agency.short_name} – {user.agency.name}" if user.agency else "—"
            rows.append((username, agency, ", ".join(str(labels.get(r, r)) for r in user.roles)))
    return rows
