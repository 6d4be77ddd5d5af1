from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "civicloop.study"
    label = "study"
    verbose_name = _("党史学习教育")

    def ready(self) -> None:
        from .actions import register_upload_folder

        register_upload_folder()
