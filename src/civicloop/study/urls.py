"""Pages of the study app."""

from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/milestones/new/", views.milestone_new, name="milestone_new"),
    path("reflections/", views.reflections, name="reflections"),
    path("reflections/new/", views.reflection_new, name="reflection_new"),
    path("reflections/<int:pk>/", views.reflection_detail, name="reflection"),
    path("lectures/", views.lectures, name="lectures"),
    path("lectures/new/", views.lecture_new, name="lecture_new"),
    path("reading/", views.reading, name="reading"),
    path("reading/new/", views.reading_new, name="reading_new"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/new/", views.publicity_new, name="publicity_new"),
    path("articles/", views.articles, name="articles"),
    path("articles/import/", views.article_import, name="article_import"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("media/", views.media, name="media"),
    path("media/new/", views.media_new, name="media_new"),
    path("media/<int:pk>/", views.media_item, name="media_item"),
    path("media/<int:pk>/poster/", views.media_poster, name="media_poster"),
    path("listen/<str:token>/", views.listen, name="listen"),
    path("listen/<str:token>/file", views.media_file, name="media_file"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
]
