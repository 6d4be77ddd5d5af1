"""Pages of the wishes app: the public wall, a wish, posting, 我认领的心愿, staff review, figures."""

from django.urls import path

from . import views

app_name = "wishes"
urlpatterns = [
    path("", views.wall, name="wall"),
    path("new/", views.new_wish, name="new"),
    path("mine/", views.mine, name="mine"),
    path("staff/", views.staff, name="staff"),
    path("stats/", views.stats, name="stats"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/photo/thumb/", views.photo, {"thumb": True}, name="thumb"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
