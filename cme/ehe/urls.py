from django.urls import path

from cme.ehe import views

app_name = "ehe"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("export/csv/", views.record_export, {"fmt": "csv"}, name="export-csv"),
    path("export/xlsx/", views.record_export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("find/", views.find_child, name="find"),
    path("new/<int:pk>/", views.record_new, name="new"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/change/", views.record_edit, name="edit"),
    path("<int:pk>/end/", views.record_end, name="end"),
    path("<int:pk>/decision/", views.record_decision, name="decision"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact-new"),
    path("<int:pk>/enquiries/new/", views.enquiry_add, name="enquiry-new"),
    path("<int:pk>/sao/new/", views.sao_add, name="sao-new"),
    path("<int:pk>/concerns/new/", views.concern_add, name="concern-new"),
    path("enquiries/<int:pk>/outcome/", views.enquiry_outcome, name="enquiry-outcome"),
    path("concerns/<int:pk>/outcome/", views.concern_outcome, name="concern-outcome"),
]
