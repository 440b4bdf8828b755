from django.urls import path

from cme.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("public/contact/", views.contact, name="contact"),
    path("public/accessibility/", views.accessibility, name="accessibility"),
    path("public/privacy/", views.privacy, name="privacy"),
]
