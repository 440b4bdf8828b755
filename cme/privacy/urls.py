from django.urls import path

from cme.privacy import views

app_name = "privacy"

urlpatterns = [
    path("retention/", views.retention, name="retention"),
    path("restricted-record-access/", views.breakglass_report, name="breakglass-report"),
    path("children/<int:pk>/subject-access/", views.sar_page, name="sar"),
    path("children/<int:pk>/subject-access/download/", views.sar_download, name="sar-download"),
    path("children/<int:pk>/correct/", views.rectify, name="rectify"),
    path("children/<int:pk>/legal-hold/", views.hold_new, name="hold-new"),
    path("restrictions/", views.restriction_list, name="restrictions"),
    path("children/<int:pk>/restriction/", views.restriction_page, name="restriction"),
]
