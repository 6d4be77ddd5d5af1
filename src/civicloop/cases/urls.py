"""Pages of the cases app (随手拍)."""

from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/suggest/", views.suggest, name="suggest"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/act/<slug:action>/", views.act, name="act"),
    path("<int:case_id>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("t/<str:token>/", views.follow, name="follow"),
]
