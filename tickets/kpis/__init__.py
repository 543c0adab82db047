"""The tickets app's cards on the managers' dashboard (registered in `TicketsConfig.ready`)."""

from __future__ import annotations

from propserv.registry import KpiProvider
from propserv.roles import MANAGERS
from tickets.kpis import callbacks, complaints, now, repairs, routine, surveys

PROVIDERS = (
    KpiProvider("tickets.now", now.compute, roles=MANAGERS, order=5),
    KpiProvider("tickets.repairs", repairs.compute, roles=MANAGERS, order=10),
    KpiProvider("tickets.callbacks", callbacks.compute, roles=MANAGERS, order=20),
    KpiProvider("tickets.routine", routine.compute, roles=MANAGERS, order=25),
    KpiProvider("tickets.complaints", complaints.compute, roles=MANAGERS, order=30),
    KpiProvider("tickets.surveys", surveys.compute, roles=MANAGERS, order=35),
)
