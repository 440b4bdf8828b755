from django.urls import path

from cme.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:key>.<str:fmt>", views.table_export, name="table-export"),
    path("children-missing-education/", views.cme_list, name="cme-list"),
    path("children-missing-education/export.<str:fmt>", views.cme_list_export, name="cme-list-export"),
]
