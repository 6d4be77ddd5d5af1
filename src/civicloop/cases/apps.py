from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civicloop.cases"
    label = "cases"
    verbose_name = _("随手拍")

    def ready(self) -> None:
        # Connect the signals that mark the per-process snapshots stale (see snapshots.py).
        from civicloop.core import permissions  # noqa: F401

        from . import deadlines, references, routing  # noqa: F401
        from .photos import register_upload_folder

        register_upload_folder()
