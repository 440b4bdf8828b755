from django.urls import path

from cme.cnis import views

app_name = "cnis"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export/csv/", views.entry_export, {"fmt": "csv"}, name="export-csv"),
    path("export/xlsx/", views.entry_export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("find/", views.find_child, name="find"),
    path("new/<int:pk>/", views.entry_new, name="new"),
    path("settings/", views.setting_list, name="settings"),
    path("settings/new/", views.setting_new, name="setting-new"),
    path("settings/<int:pk>/request/", views.request_new, name="request-new"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/parents/new/", views.parent_add, name="parent-new"),
    path("<int:pk>/providers/new/", views.provider_add, name="provider-new"),
    path("<int:pk>/remove/", views.entry_remove, name="remove"),
]
