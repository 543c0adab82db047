from django.urls import path

from tickets.views import (
    callbacks,
    complaints,
    lists,
    photos,
    repairs,
    reports,
    routine,
    survey_public,
    surveys,
)

app_name = "tickets"
urlpatterns = [
    path("board/", repairs.board, name="board"),
    path("repairs/", lists.repair_list, name="repair-list"),
    path("repairs/new/", repairs.repair_new, name="repair-new"),
    path("repairs/<int:pk>/", repairs.repair_detail, name="repair-detail"),
    path("repairs/<int:pk>/photos/<int:photo_pk>/", photos.repair_photo, name="repair-photo"),
    path("repairs/<int:pk>/photos/", photos.repair_photo_upload, name="repair-photo-upload"),
    path("repairs/<int:pk>/<slug:action>/", repairs.repair_action, name="repair-action"),
    path("my-jobs/", repairs.my_jobs, name="my-jobs"),
    # Complaints and callbacks
    path("complaints/", complaints.complaint_list, name="complaint-list"),
    path("complaints/new/", complaints.complaint_new, name="complaint-new"),
    path("complaints/mine/", complaints.my_complaints, name="my-complaints"),
    path("complaints/report/", reports.complaint_report, name="complaint-report"),
    path("complaints/repeats/", reports.repeats, name="repeats"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint-detail"),
    path(
        "complaints/<int:pk>/replies/<int:reply_pk>/letter/",
        complaints.complaint_letter,
        name="complaint-letter",
    ),
    path(
        "complaints/<int:pk>/<slug:action>/", complaints.complaint_action, name="complaint-action"
    ),
    path("callbacks/", callbacks.callback_queue, name="callback-queue"),
    path("callbacks/all/", lists.callback_list, name="callback-list"),
    path("callbacks/<int:pk>/", callbacks.callback_detail, name="callback-detail"),
    path("callbacks/<int:pk>/<slug:action>/", callbacks.callback_action, name="callback-action"),
    path(
        "second-handlings/<int:pk>/done/",
        callbacks.second_handling_done,
        name="second-handling-done",
    ),
    # Satisfaction surveys and residents' forums
    path("surveys/", surveys.survey_list, name="survey-list"),
    path("surveys/new/", surveys.survey_new, name="survey-new"),
    path("surveys/forums/new/", surveys.forum_new, name="forum-new"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/results/", surveys.survey_results, name="survey-results"),
    path("surveys/<int:pk>/open-letter/", surveys.survey_letter, name="survey-letter"),
    path("surveys/<int:pk>/<slug:action>/", surveys.survey_action, name="survey-action"),
    path("survey/<str:token>/", survey_public.survey_public, name="survey-public"),
    # Routine callbacks (planned visits, follow-ups), the daily tally, key households
    path("callbacks/routine/", routine.routine_overview, name="routine"),
    path("callbacks/routine/generate/", routine.routine_generate, name="routine-generate"),
    path("callbacks/routine/plan/", routine.routine_plan, name="routine-plan"),
    path("callbacks/tally/", routine.routine_tally, name="routine-tally"),
    path("key-households/", routine.key_households, name="key-households"),
    path("key-households/add/", routine.key_household_add, name="key-household-add"),
    path("key-households/remove/", routine.key_household_remove, name="key-household-remove"),
]
