"""Demo routine callbacks for `make run` (called by tickets.demo.seed): the area administrator
looks after every building of the estate, this quarter's household visits are planned and a third
of them already made — so the routine-callback card, the queue and the afternoon tally show real
figures. Runs once per estate."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from propserv.models import Building
from tickets.models import AdministratorArea, Callback
from tickets.services import routine as services


def seed_routine(estate) -> None:
    admin = get_user_model().objects.filter(username="area_admin").first()
    if admin is None or AdministratorArea.objects.filter(estate=estate).exists():
        return
    area = AdministratorArea.objects.create(estate=estate, name="全区", administrator=admin)
    area.buildings.set(Building.objects.filter(estate=estate))
    services.routine_generate_visits(estate=estate, kind=Callback.Kind.ADMIN_VISIT, actor=admin)
    planned = Callback.objects.filter(estate=estate, kind=Callback.Kind.ADMIN_VISIT).order_by("pk")
    for n, callback in enumerate(planned[: max(1, planned.count() // 3)]):
        services.routine_complete(
            callback_id=callback.pk,
            satisfaction=5 if n % 4 else 4,
            comment="上门走访，住户反映良好",
            confirmed_by_resident=True,
            actor=admin,
        )
