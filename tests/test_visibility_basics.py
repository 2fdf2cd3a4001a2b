"""The visibility layer on its own: owner, distribution levels, shares, retraction."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from liaison.registry.models import Person
from liaison.sharing.models import Share, SharingGroup
from liaison.sharing.visibility import can_see_protected
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cn, mm, kh = make_agency("MPS", "CN"), make_agency("MOHA", "MM"), make_agency("CNP", "KH")
    unodc = make_agency("UNODC", None, is_member=False)
    return {
        "cn": cn, "mm": mm, "kh": kh, "unodc": unodc,
        "u_cn": make_user(cn), "u_mm": make_user(mm), "u_kh": make_user(kh), "u_obs": make_user(unodc),
    }


def visible_names(user):
    return set(Person.objects.visible_to(user).values_list("display_name", flat=True))


def test_distribution_levels(world):
    make_person(world["cn"], "Owner Only")
    make_person(world["cn"], "All Members", distribution="members")
    make_person(world["cn"], "Published", distribution="public")
    assert visible_names(world["u_cn"]) == {"Owner Only", "All Members", "Published"}
    assert visible_names(world["u_mm"]) == {"All Members", "Published"}
    # Observers are not members: they see what is published or shared with them.
    assert visible_names(world["u_obs"]) == {"Published"}


def test_named_share_and_group_share(world):
    p = make_person(world["cn"], "Shared With Myanmar", distribution="shared")
    q = make_person(world["cn"], "Shared With Group", distribution="shared")
    ct = ContentType.objects.get_for_model(Person)
    Share.objects.create(content_type=ct, object_id=p.pk, agency=world["mm"])
    group = SharingGroup.objects.create(name="Mekong")
    group.members.add(world["kh"], world["unodc"])
    Share.objects.create(content_type=ct, object_id=q.pk, group=group)
    assert visible_names(world["u_mm"]) == {"Shared With Myanmar"}
    assert visible_names(world["u_kh"]) == {"Shared With Group"}
    assert visible_names(world["u_obs"]) == {"Shared With Group"}


def test_share_without_shared_distribution_grants_nothing(world):
    p = make_person(world["cn"], "Still Private")
    Share.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=p.pk, agency=world["mm"])
    assert "Still Private" not in visible_names(world["u_mm"])


def test_retracted_record_disappears_for_recipients_not_owner(world):
    p = make_person(world["cn"], "Retracted", distribution="members")
    Person.objects.filter(pk=p.pk).update(retracted_at=timezone.now())
    assert "Retracted" not in visible_names(world["u_mm"])
    assert "Retracted" in visible_names(world["u_cn"])


def test_protected_fields_need_explicit_grant(world):
    victim = make_person(world["cn"], "Victim Name", distribution="shared", protection="victim")
    ct = ContentType.objects.get_for_model(Person)
    Share.objects.create(content_type=ct, object_id=victim.pk, agency=world["mm"])
    Share.objects.create(content_type=ct, object_id=victim.pk, agency=world["kh"], include_protected=True)
    assert can_see_protected(victim, world["u_cn"])
    assert not can_see_protected(victim, world["u_mm"])
    assert can_see_protected(victim, world["u_kh"])


def test_anonymous_and_agencyless_users_see_only_public(world):
    from django.contrib.auth.models import AnonymousUser

    make_person(world["cn"], "Members Only", distribution="members")
    make_person(world["cn"], "Published", distribution="public")
    assert visible_names(AnonymousUser()) == {"Published"}
    admin = make_user(None, roles=("platform_admin",))
    assert visible_names(admin) == {"Published"}
