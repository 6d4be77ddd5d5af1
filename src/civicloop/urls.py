"""URL map: pages per app, the admin, the API and Open311."""

import os

from django.contrib import admin
from django.urls import include, path

from civicloop.api import api
from civicloop.core import views as core_views

admin.site.site_header = "civicloop 后台管理"
admin.site.site_title = "civicloop"
admin.site.index_title = "配置与数据"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.login_view, name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("me/", core_views.profile_view, name="profile"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("cases/", include("civicloop.cases.urls")),
    path("open311/", include("civicloop.open311.urls")),
    path("volunteer/", include("civicloop.volunteering.urls")),
    path("wishes/", include("civicloop.wishes.urls")),
    path("study/", include("civicloop.study.urls")),
    path("dashboard/", include("civicloop.dashboard.urls")),
    path("inbox/", include("civicloop.notifications.urls")),
]
if os.environ.get("CIVICLOOP_BENCH") == "1":  # framework floors for bench/run.py only
    urlpatterns.append(path("bench/floor/", include("civicloop.benchfloor.urls")))

handler400 = "civicloop.core.errorviews.bad_request"
handler403 = "civicloop.core.errorviews.permission_denied"
handler404 = "civicloop.core.errorviews.page_not_found"
handler500 = "civicloop.core.errorviews.server_error"
