"""Pages of the volunteering app, under /volunteer/."""

from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("order/", views.order, name="order"),
    path("orders/<int:order_id>/contact/", views.order_contact, name="order_contact"),
    path("orders/<int:order_id>/decline/", views.decline_order, name="decline_order"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/claim/", views.claim, name="claim"),
    path("tasks/<int:task_id>/cancel/", views.cancel, name="cancel"),
    path("tasks/<int:task_id>/assign/", views.assign, name="assign"),
    path("tasks/<int:task_id>/cancel-task/", views.cancel_task, name="cancel_task"),
    path("tasks/<int:task_id>/poster/", views.poster, name="poster"),
    path("tasks/<int:task_id>/confirm/<int:member_id>/", views.confirm, name="confirm"),
    path("c/<str:code>/", views.checkin, name="checkin"),
    path("register/", views.register, name="register"),
    path("registrations/<int:registration_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "registrations/<int:registration_id>/decide/",
        views.decide_registration,
        name="decide_registration",
    ),
    path("points/", views.points_view, name="points"),
    path("records/<int:record_id>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("staff/", views.staff_tasks, name="staff_tasks"),
    path("staff/publish/", views.publish, name="publish"),
    path("staff/pair/", views.pair, name="pair"),
    path("staff/correct/", views.correct, name="correct"),
    path("orgs/", views.org_service, name="org_service"),
    path("orgs/export.xlsx", views.org_export, name="org_export"),
]
