from django.urls import path

from cme.children import views

app_name = "children"

urlpatterns = [
    path("children/find/", views.search, name="search"),
    path("children/<int:pk>/", views.child_detail, name="detail"),
    path("children/<int:pk>/reason/", views.restricted_reason, name="reason"),
    path("schools/", views.school_list, name="school-list"),
    path("schools/mine/", views.my_school, name="my-school"),
    path("schools/<int:pk>/", views.school_detail, name="school-detail"),
]
