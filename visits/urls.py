from django.urls import path

from visits import public, views

app_name = "visits"
urlpatterns = [
    # Staff: the front desk
    path("visits/", views.index, name="index"),
    path("visits/open/", views.open_list, name="open"),
    path("visits/<int:pk>/", views.detail, name="detail"),
    path("visits/<int:pk>/<slug:name>/", views.action, name="action"),
    path("visits/lookup/", views.lookup, name="lookup"),
    path("visits/lookup.json", views.lookup_json, name="lookup-json"),
    path("visits/praise/", views.praise_list, name="praise"),
    path("visits/handovers/", views.handovers, name="handovers"),
    path("visits/handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("visits/defects/", views.defects, name="defects"),
    path("visits/defects/<int:pk>/", views.defect_detail, name="defect"),
    path("visits/defects/<int:pk>/print/", views.defect_print, name="defect-print"),
    path("visits/lost-found/", views.lost_found, name="lost-found"),
    path(
        "visits/lost-found/<int:pk>/<slug:name>/", views.lost_item_action, name="lost-item-action"
    ),
    path("visits/incidents/", views.incidents, name="incidents"),
    path("visits/incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("visits/notices/", views.notices, name="notices"),
    path("visits/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("visits/qr/", views.qr_buildings, name="qr-buildings"),
    path("visits/qr/<int:pk>/", views.qr_sheet, name="qr-sheet"),
    # Residents: no login
    path("report/", public.choose_estate, name="report-choose"),
    path("report/<slug:code>/", public.report, name="report"),
    path("track/", public.track_lookup, name="track-lookup"),
    path("track/<str:token>/", public.track, name="track"),
    path("track/<str:token>/rate/", public.track_rate, name="track-rate"),
]
