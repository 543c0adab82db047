from django.urls import path

from tickets import complaint_views as cv
from tickets import views

app_name = "tickets"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("repairs/new/", views.repair_new, name="repair-new"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair-detail"),
    path("repairs/<int:pk>/<slug:action>/", views.repair_action, name="repair-action"),
    path("my-jobs/", views.my_jobs, name="my-jobs"),
    # Complaints and callbacks
    path("complaints/", cv.complaint_list, name="complaint-list"),
    path("complaints/new/", cv.complaint_new, name="complaint-new"),
    path("complaints/mine/", cv.my_complaints, name="my-complaints"),
    path("complaints/report/", cv.complaint_report, name="complaint-report"),
    path("complaints/repeats/", cv.repeats, name="repeats"),
    path("complaints/<int:pk>/", cv.complaint_detail, name="complaint-detail"),
    path(
        "complaints/<int:pk>/replies/<int:reply_pk>/letter/",
        cv.complaint_letter,
        name="complaint-letter",
    ),
    path("complaints/<int:pk>/<slug:action>/", cv.complaint_action, name="complaint-action"),
    path("callbacks/", cv.callback_queue, name="callback-queue"),
    path("callbacks/<int:pk>/", cv.callback_detail, name="callback-detail"),
    path("callbacks/<int:pk>/<slug:action>/", cv.callback_action, name="callback-action"),
    path("second-handlings/<int:pk>/done/", cv.second_handling_done, name="second-handling-done"),
]
