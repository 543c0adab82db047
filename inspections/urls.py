from django.urls import path

from inspections.views import milestones as hm
from inspections.views import movein as mi
from inspections.views import passes, patrols, rectifications, releases, renovations
from inspections.views import predelivery as pd
from inspections.views import quality as qv

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
    # hand-over: pre-hand-over inspection, move-in, key milestones
    path("handover/problems/", pd.problem_list, name="problems"),
    path("handover/problems/new/", pd.problems_new, name="problems-new"),
    path("handover/problems/summary/", pd.summary, name="problems-summary"),
    path("handover/problems/<int:pk>/", pd.problem_detail, name="problem"),
    path("handover/problems/<int:pk>/fix/", pd.problem_fix, name="problem-fix"),
    path("handover/problems/<int:pk>/recheck/", pd.problem_recheck, name="problem-recheck"),
    path("handover/setup/", pd.setup, name="handover-setup"),
    path("handover/movein/", mi.movein_home, name="movein"),
    path("handover/movein/plans/<int:pk>/", mi.plan_detail, name="movein-plan"),
    path("handover/movein/plans/<int:pk>/summary/", mi.plan_summary, name="movein-summary"),
    path("handover/movein/prep/<int:pk>/tick/", mi.prep_tick, name="movein-prep-tick"),
    path("handover/movein/batches/<int:pk>/", mi.board, name="movein-board"),
    path("handover/movein/book/", mi.book, name="movein-book"),
    path("handover/movein/day/", mi.day, name="movein-day"),
    path("handover/movein/<int:pk>/", mi.appointment_detail, name="movein-appointment"),
    path("handover/movein/<int:pk>/arrive/", mi.appointment_arrive, name="movein-arrive"),
    path("handover/movein/<int:pk>/problems/", mi.appointment_problems, name="movein-problems"),
    path("handover/movein/<int:pk>/accept/", mi.appointment_accept, name="movein-accept"),
    path("handover/movein/<int:pk>/refuse/", mi.appointment_refuse, name="movein-refuse"),
    path("handover/movein/<int:pk>/visit/", mi.welcome_visit, name="movein-visit"),
    path("handover/milestones/", hm.milestone_list, name="milestones"),
    path("handover/milestones/<int:pk>/done/", hm.milestone_done, name="milestone-done"),
]

# Quality checks (品质检查).
urlpatterns += [
    path("quality/", qv.home, name="quality"),
    path("quality/templates/new/", qv.template_new, name="quality-template-new"),
    path("quality/templates/<int:pk>/check/", qv.check_new, name="quality-check-new"),
    path("quality/checks/<int:pk>/", qv.check_detail, name="quality-check"),
    path(
        "quality/nonconformities/<int:pk>/close/",
        qv.nonconformity_close,
        name="quality-nc-close",
    ),
    path("quality/defects/<int:pk>/", qv.defect_detail, name="quality-defect"),
    path("quality/defects/<int:pk>/transfer/", qv.transfer_print, name="quality-transfer"),
    path("quality/warnings/", qv.warning_new, name="quality-warning"),
    path("quality/findings/", qv.findings, name="quality-findings"),
    path("quality/staff/", qv.staff_summary, name="quality-staff"),
]
