from django.urls import path

from keys.views import cabinet, loans, owners, records

app_name = "keys"
urlpatterns = [
    path("", cabinet.cabinet, name="cabinet"),
    path("new/", cabinet.key_register, name="register"),
    path("tag/<str:code>/", cabinet.by_tag, name="tag"),
    path("labels/", cabinet.labels, name="labels"),
    path("<int:pk>/", cabinet.key_detail, name="key"),
    path("<int:pk>/label/", cabinet.labels, name="label"),
    path("<int:pk>/move/", cabinet.key_move, name="move"),
    path("<int:pk>/lend/", loans.lend, name="lend"),
    path("<int:pk>/handover/", owners.handover, name="handover"),
    path("<int:pk>/call/", owners.owner_call, name="call"),
    path("<int:pk>/release/", owners.release, name="release"),
    path("<int:pk>/incident/", records.incident_new, name="incident-new"),
    path("entrust/", owners.entrust, name="entrust"),
    path("units/<int:unit_pk>/", owners.unit_file, name="unit-file"),
    path("units/<int:unit_pk>/issue/", owners.issue, name="issue"),
    path("receipts/<int:pk>/", owners.receipt, name="receipt"),
    path("loans/", loans.loans, name="loans"),
    path("loans/<int:pk>/", loans.loan_detail, name="loan"),
    path("loans/<int:pk>/return/", loans.loan_return, name="loan-return"),
    path("loans/<int:pk>/inspect/", loans.loan_inspect, name="loan-inspect"),
    path("loans/<int:pk>/reissue/", loans.loan_reissue, name="loan-reissue"),
    path("overdue/", loans.overdue, name="overdue"),
    path("borrowers/staff/<int:user_pk>/", loans.borrower_staff, name="borrower-staff"),
    path("borrowers/person/<int:pk>/", loans.borrower_person, name="borrower-person"),
    path("contractors/", records.contractors, name="contractors"),
    path("contractors/<int:pk>/", records.contractor, name="contractor"),
    path("incidents/<int:pk>/", records.incident, name="incident"),
    path("vacant/", records.vacant, name="vacant"),
    path("vacant/report.csv", records.vacant_csv, name="vacant-csv"),
    path("vacant/<int:pk>/", records.vacant_record, name="vacant-record"),
]
