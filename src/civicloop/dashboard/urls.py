"""Pages of the dashboard: the viewer's own, drill-down per scope, print, exports, public."""

from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("public/", views.public, name="public"),
    path("<str:scope_type>/<int:scope_id>/", views.scope, name="scope"),
    path("<str:scope_type>/<int:scope_id>/print/", views.print_view, name="print"),
    path("<str:scope_type>/<int:scope_id>/report.xlsx", views.monthly_report, name="report"),
    path(
        "<str:scope_type>/<int:scope_id>/export/<slug:table_id>.xlsx",
        views.export_table,
        name="export",
    ),
]
