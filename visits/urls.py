from django.urls import path

from visits.public import views as public
from visits.views import defects, handover, lookup, notices, qr, reception, registers

app_name = "visits"
urlpatterns = [
    # Staff: the front desk
    path("visits/", reception.index, name="index"),
    path("visits/open/", reception.open_list, name="open"),
    path("visits/<int:pk>/", reception.detail, name="detail"),
    path("visits/<int:pk>/<slug:name>/", reception.action, name="action"),
    path("visits/lookup/", lookup.lookup, name="lookup"),
    path("visits/lookup.json", lookup.lookup_json, name="lookup-json"),
    path("visits/praise/", reception.praise_list, name="praise"),
    path("visits/handovers/", handover.handovers, name="handovers"),
    path("visits/handovers/<int:pk>/", handover.handover_detail, name="handover"),
    path("visits/defects/", defects.defects, name="defects"),
    path("visits/defects/<int:pk>/", defects.defect_detail, name="defect"),
    path("visits/defects/<int:pk>/print/", defects.defect_print, name="defect-print"),
    path("visits/lost-found/", registers.lost_found, name="lost-found"),
    path(
        "visits/lost-found/<int:pk>/<slug:name>/",
        registers.lost_item_action,
        name="lost-item-action",
    ),
    path("visits/incidents/", registers.incidents, name="incidents"),
    path("visits/incidents/<int:pk>/", registers.incident_detail, name="incident"),
    path("visits/notices/", notices.notices, name="notices"),
    path("visits/notices/<int:pk>/", notices.notice_detail, name="notice"),
    path("visits/qr/", qr.qr_buildings, name="qr-buildings"),
    path("visits/qr/<int:pk>/", qr.qr_sheet, name="qr-sheet"),
    # Residents: no login
    path("report/", public.choose_estate, name="report-choose"),
    path("report/<slug:code>/", public.report, name="report"),
    path("track/", public.track_lookup, name="track-lookup"),
    path("track/<str:token>/", public.track, name="track"),
    path("track/<str:token>/rate/", public.track_rate, name="track-rate"),
]
