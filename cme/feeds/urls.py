from django.urls import path

from cme.feeds import views

app_name = "feeds"

urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("upload/", views.upload, name="upload"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<slug:code>/", views.rule_edit, name="rule-edit"),
]
