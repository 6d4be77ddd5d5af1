"""Admin pages for wishes (微心愿) and their append-only records (心愿记录, read-only)."""

from django.contrib import admin

from .models import Wish, WishEvent


class WishEventInline(admin.TabularInline):
    model = WishEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "role", "from_state", "to_state", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    list_display = ("id", "content", "category", "community", "state", "claimed_by", "created_at")
    list_filter = ("state", "category", "beneficiary_type", "street")
    search_fields = ("content",)
    date_hierarchy = "created_at"
    inlines = [WishEventInline]
    # State and its companions change only through actions.py, which writes the events.
    readonly_fields = (
        "state",
        "posted_by",
        "posted_as",
        "published_at",
        "on_wall_since",
        "claimed_by",
        "claimed_at",
        "first_claimed_at",
        "commitment",
        "contacted_at",
        "contact_note",
        "fulfilled_at",
        "fulfil_note",
        "confirmed_at",
        "confirmed_by",
        "rating",
        "points_awarded",
        "verify_note",
        "decline_reason",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WishEvent)
class WishEventAdmin(admin.ModelAdmin):
    list_display = ("at", "wish", "action", "actor", "role", "from_state", "to_state")
    list_filter = ("action", "role")
    search_fields = ("wish__id", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
