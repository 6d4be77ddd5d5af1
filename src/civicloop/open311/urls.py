"""Open311 GeoReport v2 under /open311/v2/ (every resource as .json and .xml)."""

from django.urls import path, re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, views.services, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FMT, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<request_id>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    re_path(r"^v2/servicerequestupdates" + FMT, views.updates, name="updates"),
    path("v2/media/<int:photo_id>", views.media, name="media"),
    # Anything else under v2/ answers the spec's 404 error array (JSON when asked for).
    re_path(r"^v2/(?P<rest>.+)" + FMT, views.unknown, name="unknown"),
]
