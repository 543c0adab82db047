"""factory_boy factories for the core models; app factories live beside their tests."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from propserv.models import Building, Estate, Resident, StaffProfile, Unit


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"EST{n}")
    name = factory.Sequence(lambda n: f"测试小区{n}")
    emergency_phone = "0755-86009999"
    service_phone = "0755-86001234"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    code = factory.Sequence(lambda n: str(n + 1))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    estate = factory.SelfAttribute("building.estate")
    code = factory.Sequence(lambda n: f"1-1-{1000 + n}")
    floor = 10
    area_m2 = Decimal("100.00")
    status = Unit.Status.OCCUPIED


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    unit = factory.SubFactory(UnitFactory)
    estate = factory.SelfAttribute("unit.estate")
    name = factory.Sequence(lambda n: f"住户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    role = Resident.Role.OWNER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-12345678")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_staff(username: str, *roles: str, estates=(), **extra):
    """A staff user with `roles` (group names) working for `estates`."""
    user = UserFactory(username=username, **extra)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.estates.add(*estates)
    return user
