from django.urls import path

from keys import views

app_name = "keys"
urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("new/", views.key_register, name="register"),
    path("tag/<str:code>/", views.by_tag, name="tag"),
    path("labels/", views.labels, name="labels"),
    path("<int:pk>/", views.key_detail, name="key"),
    path("<int:pk>/label/", views.labels, name="label"),
    path("<int:pk>/move/", views.key_move, name="move"),
    path("<int:pk>/lend/", views.lend, name="lend"),
    path("<int:pk>/handover/", views.handover, name="handover"),
    path("<int:pk>/call/", views.owner_call, name="call"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/incident/", views.incident_new, name="incident-new"),
    path("entrust/", views.entrust, name="entrust"),
    path("units/<int:unit_pk>/", views.unit_file, name="unit-file"),
    path("units/<int:unit_pk>/issue/", views.issue, name="issue"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("loans/", views.loans, name="loans"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan-return"),
    path("loans/<int:pk>/inspect/", views.loan_inspect, name="loan-inspect"),
    path("loans/<int:pk>/reissue/", views.loan_reissue, name="loan-reissue"),
    path("overdue/", views.overdue, name="overdue"),
    path("borrowers/staff/<int:user_pk>/", views.borrower_staff, name="borrower-staff"),
    path("borrowers/person/<int:pk>/", views.borrower_person, name="borrower-person"),
    path("contractors/", views.contractors, name="contractors"),
    path("contractors/<int:pk>/", views.contractor, name="contractor"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("vacant/", views.vacant, name="vacant"),
    path("vacant/report.csv", views.vacant_csv, name="vacant-csv"),
    path("vacant/<int:pk>/", views.vacant_record, name="vacant-record"),
]
