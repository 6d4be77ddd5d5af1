"""Pages of the volunteering app."""

from django.urls import path  # noqa: F401

app_name = "volunteering"
urlpatterns: list = []
