from django.urls import path

from cme.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("merge/", views.merge_start, name="merge-start"),
    path("merge/<int:keep>/<int:merge>/", views.merge_confirm, name="merge-confirm"),
    path("merges/", views.merge_list, name="merge-list"),
    path("merges/<int:pk>/", views.merge_detail, name="merge-detail"),
]
