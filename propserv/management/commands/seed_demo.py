"""Demo data for `make run`: one estate, ~300 units, residents, one login per role. Runs once."""

import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from propserv.models import Building, Estate, Resident, StaffProfile, Unit
from propserv.registry import registry
from propserv.roles import Role
from propserv.workdays import ensure_year

DEMO_ESTATE = "CUIHU"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
    "刚",
]


def ensure_roles() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


class Command(BaseCommand):
    help = "Load the demo estate, units, residents and role logins (skipped when already loaded)."

    def handle(self, *args, **options):
        ensure_roles()
        for year in range(2024, 2029):
            ensure_year(year)
        if Estate.objects.filter(code=DEMO_ESTATE).exists():
            self.stdout.write("demo data already loaded")
            self._run_hooks(Estate.objects.get(code=DEMO_ESTATE))
            return
        with transaction.atomic():
            estate = self._estate()
            self._users(estate)
        self._run_hooks(estate)
        self.stdout.write(self.style.SUCCESS("demo data loaded"))

    def _run_hooks(self, estate):
        """Each app adds its own demo data: the seeders it registered (propserv.registry), lower
        layers first, so a higher app's demo can use a lower app's rows."""
        for seeder in registry.demo_seeders_in_order():
            seeder(estate)

    def _estate(self) -> Estate:
        rng = random.Random(20261122)
        estate = Estate.objects.create(
            code=DEMO_ESTATE,
            name="翠湖花园",
            address="深圳市南山区翠湖路 88 号",
            service_phone="0755-86001234",
            emergency_phone="0755-86009999",
        )
        estate.service_settings  # noqa: B018 – creates the row with the defaults
        units = []
        for b in range(1, 6):
            building = Building.objects.create(estate=estate, code=str(b), name=f"{b}栋", floors=15)
            for entrance in (1, 2):
                for floor in range(1, 16):
                    for room in (1, 2):
                        status = rng.choices(
                            ["occupied", "sold", "vacant", "renovating"], [70, 12, 12, 6]
                        )[0]
                        units.append(
                            Unit(
                                estate=estate,
                                building=building,
                                code=f"{b}-{entrance}-{floor}{room:02d}",
                                floor=floor,
                                area_m2=Decimal(
                                    rng.choice(["89.50", "108.20", "126.80", "143.00"])
                                ),
                                status=status,
                            )
                        )
        Unit.objects.bulk_create(units)
        residents = []
        for unit in Unit.objects.filter(
            estate=estate, status__in=["occupied", "renovating", "sold"]
        ):
            for i in range(1 if unit.status != "occupied" else rng.choice([1, 2, 3])):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                residents.append(
                    Resident(
                        estate=estate,
                        unit=unit,
                        name=name,
                        phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                        role="owner" if i == 0 else rng.choice(["family", "tenant"]),
                    )
                )
        Resident.objects.bulk_create(residents)
        return estate

    def _users(self, estate) -> None:
        User = get_user_model()
        password = settings.DEMO_PASSWORD
        admin, _created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "first_name": "管理员"},
        )
        admin.set_password(password)
        admin.save()
        StaffProfile.objects.get_or_create(user=admin)[0].estates.add(estate)
        names = {
            "frontdesk": "前台 小林",
            "area_admin": "区域管理员 小陈",
            "supervisor": "客服主管 王主管",
            "project_manager": "项目经理 李经理",
            "quality": "品质部 赵工",
            "gm": "总经理 周总",
            "technician": "维修工 张师傅",
            "patrol": "巡逻岗 孙师傅",
            "finance": "财务 钱会计",
        }
        for role in Role:
            user, _created = User.objects.get_or_create(
                username=role.value,
                defaults={"first_name": names[role.value], "email": f"{role.value}@example.com"},
            )
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role.value))
            StaffProfile.objects.get_or_create(user=user)[0].estates.add(estate)
