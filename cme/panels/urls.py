from django.urls import path

from cme.panels import views

app_name = "panels"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("settings/", views.panel_settings, name="settings"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/change/", views.meeting_edit, name="edit"),
    path("<int:pk>/agenda/build/", views.agenda_build, name="agenda-build"),
    path("<int:pk>/agenda/add/", views.item_add, name="item-add"),
    path("<int:pk>/attendees/new/", views.attendee_add, name="attendee-add"),
    path("<int:pk>/held/", views.meeting_held, name="held"),
    path("<int:pk>/minutes.pdf", views.minutes, name="minutes"),
    path("<int:pk>/terms-of-reference/", views.terms_of_reference, name="terms-of-reference"),
    path("attendees/<int:pk>/remove/", views.attendee_remove, name="attendee-remove"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/remove/", views.item_remove, name="item-remove"),
]
