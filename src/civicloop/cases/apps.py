from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civicloop.cases"
    label = "cases"
    verbose_name = _("随手拍")

    def ready(self) -> None:
        from . import routing  # noqa: F401  (connects the grid-cache invalidation signals)
