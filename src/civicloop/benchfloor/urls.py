"""Floor views, mounted only when CIVICLOOP_BENCH=1."""

from django.urls import path

from . import views

app_name = "benchfloor"
urlpatterns = [
    path("json", views.bare_json, name="json"),
    path("insert", views.bare_insert, name="insert"),
    path("list", views.bare_list, name="list"),
]
