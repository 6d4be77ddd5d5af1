from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _tokens_changed(sender, instance=None, created=False, update_fields=None, **kwargs) -> None:
    """A token, user or profile changed: processes forget the tokens they have checked.
    A new token changes nothing known; neither does a sign-in's last_login."""
    from . import snapshots
    from .models import ApiToken

    if sender is ApiToken and created:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    snapshots.changed(snapshots.API_TOKENS)


def _connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        from .pgtime import use_native_loader

        use_native_loader(connection)


class CoreConfig(AppConfig):
    name = "civicloop.core"
    label = "core"
    verbose_name = _("基础数据")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from .models import ApiToken, Profile

        for model in (ApiToken, Profile, get_user_model()):
            uid = f"core.tokens.{model._meta.label}"
            post_save.connect(_tokens_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(_tokens_changed, sender=model, dispatch_uid=f"{uid}.delete")
        connection_created.connect(_connection_created, dispatch_uid="core.pgtime")
