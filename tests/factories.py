"""Small builders for test data, shared by every test package.

``login(client, user)`` logs in *and* marks the second factor verified, the
way a real login through password + TOTP ends.
"""
import itertools

from django_otp import DEVICE_ID_SESSION_KEY

from liaison.core.models import Country
from liaison.registry.models import Person, PersonName
from liaison.sharing.models import Agency, Role, User
from liaison.sharing.otp import ensure_device

_seq = itertools.count(1)


def make_agency(short_name=None, country="CN", is_member=True, **kwargs):
    n = next(_seq)
    short_name = short_name or f"AG{n}"
    return Agency.objects.create(
        name=kwargs.pop("name", f"Agency {short_name}"),
        short_name=short_name,
        country=Country.objects.get(code=country) if country else None,
        is_member=is_member,
        **kwargs,
    )


def make_user(agency, roles=(Role.ANALYST,), username=None, password="correct horse battery staple", **kwargs):
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=password, agency=agency, roles=list(roles), **kwargs)
    ensure_device(user)
    return user


def login(client, user):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = ensure_device(user).persistent_id
    session.save()
    return client


def make_person(owner, *names, distribution="owner", **kwargs):
    person = Person.objects.create(owner=owner, distribution=distribution, **kwargs)
    for i, name in enumerate(names or ("Test Person",)):
        PersonName.objects.create(person=person, full_name=name, kind="primary" if i == 0 else "alias")
    person.refresh_from_db()
    return person
