"""Back office: client applications' API keys (issued, counted, revoked), what they filed and
the follow-ups they posted."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, ClientUpdate, Submission


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "active_label",
        "request_count",
        "report_count",
        "last_used_at",
        "created_at",
    )
    search_fields = ("name", "contact", "prefix")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    fields = (
        "name",
        "contact",
        "note",
        "prefix",
        "request_count",
        "report_count",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = (
        "prefix",
        "request_count",
        "report_count",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke_keys",)

    @admin.display(description=_("状态"))
    def active_label(self, obj: ApiKey) -> str:
        return _("有效") if obj.active else _("已吊销")

    def save_model(self, request, obj: ApiKey, form, change) -> None:
        raw = None
        if not change:
            raw = obj.set_new_key()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(
                request,
                _("新密钥（只显示这一次，请立即交给接入单位）：%(key)s") % {"key": raw},
            )

    @admin.action(description=_("吊销所选密钥"))
    def revoke_keys(self, request, queryset) -> None:
        count = sum(1 for key in queryset if key.revoke())
        self.message_user(request, _("已吊销 %(n)d 个密钥") % {"n": count})

    def has_delete_permission(self, request, obj=None) -> bool:
        # Keys are revoked, never deleted: the reports they filed keep pointing at them.
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("case", "api_key", "service_code", "created_at")
    list_filter = ("api_key",)
    search_fields = ("case__id", "token", "device_id", "account_id")
    list_select_related = ("case", "api_key")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClientUpdate)
class ClientUpdateAdmin(admin.ModelAdmin):
    """Read-only: the 留言 itself is the case event (append-only), shown on the case."""

    list_display = ("case", "api_key", "update_id", "event", "created_at")
    list_filter = ("api_key",)
    search_fields = ("case__id", "update_id")
    list_select_related = ("case", "api_key", "event")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
