from django.urls import path

from cme.timetables import views

app_name = "timetables"

urlpatterns = [
    path("", views.timetable_list, name="list"),
    path("export/csv/", views.timetable_export, {"fmt": "csv"}, name="export-csv"),
    path("export/xlsx/", views.timetable_export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("report/", views.register_report, name="report"),
    path("new/", views.timetable_new, name="new"),
    path("<int:pk>/", views.timetable_detail, name="detail"),
    path("<int:pk>/review/", views.timetable_review, name="review"),
    path("<int:pk>/consent/", views.timetable_consent, name="consent"),
]
