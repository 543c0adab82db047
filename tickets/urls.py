from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("repairs/new/", views.repair_new, name="repair-new"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair-detail"),
    path("repairs/<int:pk>/<slug:action>/", views.repair_action, name="repair-action"),
    path("my-jobs/", views.my_jobs, name="my-jobs"),
]
