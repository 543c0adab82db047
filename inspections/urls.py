from django.urls import path

from inspections.views import passes, patrols, rectifications, releases, renovations

app_name = "inspections"
urlpatterns = [
    path("", renovations.renovation_list, name="renovations"),
    path("new/", renovations.renovation_new, name="renovation-new"),
    path("<int:pk>/", renovations.renovation_detail, name="renovation"),
    path("<int:pk>/approve/", renovations.renovation_approve, name="approve"),
    path("<int:pk>/reject/", renovations.renovation_reject, name="reject"),
    path("<int:pk>/permit/", renovations.permit, name="permit"),
    path("documents/<int:pk>/", renovations.document, name="document"),
    path("<int:pk>/passes/new/", passes.pass_issue, name="pass-issue"),
    path("passes/<int:pk>/", passes.pass_detail, name="pass"),
    path("passes/<int:pk>/print/", passes.pass_print, name="pass-print"),
    path("passes/<int:pk>/revoke/", passes.pass_revoke, name="pass-revoke"),
    path("passes/<int:pk>/take-back/", passes.pass_confiscate, name="pass-confiscate"),
    path("passes/take-back/", passes.take_back, name="take-back"),
    path("gate/", passes.gate, name="gate"),
    path("patrols/", patrols.board, name="board"),
    path("<int:pk>/notices/new/", rectifications.notice_issue, name="notice-issue"),
    path("notices/<int:pk>/", rectifications.notice_detail, name="notice"),
    path("notices/<int:pk>/reinspect/", rectifications.notice_reinspect, name="notice-reinspect"),
    path("notices/<int:pk>/print/", rectifications.notice_print, name="notice-print"),
    path(
        "<int:pk>/acceptance/request/", rectifications.acceptance_request, name="acceptance-request"
    ),
    path("<int:pk>/acceptance/", rectifications.acceptance, name="acceptance"),
    path("<int:pk>/complaints/", rectifications.complaint_link, name="complaint-link"),
    path("releases/", releases.release_new, name="releases"),
    path("releases/<int:pk>/", releases.release_detail, name="release"),
    path("releases/<int:pk>/use/", releases.release_use, name="release-use"),
    path("releases/<int:pk>/print/", releases.release_print, name="release-print"),
    path("<int:pk>/patrol/", patrols.patrol, name="patrol"),
    path("<int:pk>/patrols/print/", patrols.patrol_print, name="patrol-print"),
]
