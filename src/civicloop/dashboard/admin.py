"""Admin: the rollup watermark, read-only (derived data is rebuilt, never edited by hand)."""

from django.contrib import admin

from .models import RollupWatermark


@admin.register(RollupWatermark)
class RollupWatermarkAdmin(admin.ModelAdmin):
    list_display = ("name", "last_event_id", "evaluated_at", "updated_at")
    readonly_fields = ("name", "last_event_id", "generation", "evaluated_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
