"""Pages of the wishes app."""

from django.urls import path  # noqa: F401

app_name = "wishes"
urlpatterns: list = []
