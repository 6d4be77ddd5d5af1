"""Pages of the volunteering app, under /volunteer/."""

from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: digits that fit a bigint, so an absurd id is a 404, not a SQL error."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "vid")

app_name = "volunteering"
urlpatterns = [
    path("order/", views.order, name="order"),
    path("orders/<vid:order_id>/contact/", views.order_contact, name="order_contact"),
    path("orders/<vid:order_id>/decline/", views.decline_order, name="decline_order"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<vid:task_id>/", views.task_detail, name="task"),
    path("tasks/<vid:task_id>/claim/", views.claim, name="claim"),
    path("tasks/<vid:task_id>/cancel/", views.cancel, name="cancel"),
    path("tasks/<vid:task_id>/assign/", views.assign, name="assign"),
    path("tasks/<vid:task_id>/cancel-task/", views.cancel_task, name="cancel_task"),
    path("tasks/<vid:task_id>/poster/", views.poster, name="poster"),
    path("tasks/<vid:task_id>/confirm/<vid:member_id>/", views.confirm, name="confirm"),
    path("c/<str:code>/", views.checkin, name="checkin"),
    path("register/", views.register, name="register"),
    path("registrations/<vid:registration_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "registrations/<vid:registration_id>/decide/",
        views.decide_registration,
        name="decide_registration",
    ),
    path("points/", views.points_view, name="points"),
    path("records/<vid:record_id>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("staff/", views.staff_tasks, name="staff_tasks"),
    path("staff/publish/", views.publish, name="publish"),
    path("staff/pair/", views.pair, name="pair"),
    path("staff/correct/", views.correct, name="correct"),
    path("communities/<vid:community_id>/", views.community, name="community"),
    path("orgs/", views.org_service, name="org_service"),
    path("orgs/export.xlsx", views.org_export, name="org_export"),
]
