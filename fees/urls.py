from django.urls import path

from fees.views import accounts, arrears, billing, cashdesk, desk

app_name = "fees"
urlpatterns = [
    path("", desk.desk, name="desk"),
    path("receipts/<int:pk>/", desk.receipt, name="receipt"),
    path("payments/<int:pk>/reverse/", desk.payment_reverse, name="reverse"),
    path("units/<int:pk>/", accounts.statement, name="statement"),
    path("arrears/", arrears.arrears, name="arrears"),
    path("arrears/large/", arrears.large_debts, name="large-debts"),
    path("arrears/notice/", arrears.notice_prepare, name="notice-prepare"),
    path("notices/<int:pk>/", arrears.notice, name="notice"),
    path("billing/", billing.billing, name="billing"),
    path("days/", cashdesk.days, name="days"),
    path("days/<int:pk>/slip/", cashdesk.deposit_slip, name="deposit-slip"),
    path("income/", cashdesk.income, name="income"),
]
