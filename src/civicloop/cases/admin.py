"""Back office: categories and deadlines are configured here; cases are read-only (their state
changes only through actions, and their events are the audit trail)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Case, CaseEvent, CasePhoto, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "parent",
        "department",
        "sign_limit",
        "sign_unit",
        "close_limit",
        "close_unit",
        "active",
    )
    list_filter = ("active", "parent", "department")
    search_fields = ("code", "name", "keywords")
    list_editable = ("active",)
    autocomplete_fields = ("department",)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "action", "actor", "actor_role", "from_state", "to_state", "note", "flagged")
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = CasePhoto
    fields = ("id", "event", "content_type", "width", "height", "created_at")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "state",
        "category",
        "community",
        "department",
        "deadline",
        "deadline_state",
        "created_at",
    )
    list_filter = ("state", "deadline_state", "source", "category__parent", "department")
    search_fields = ("description", "address", "id")
    date_hierarchy = "created_at"
    inlines = [EventInline, PhotoInline]
    list_select_related = ("category__parent", "community", "department")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("编号"))
    def number(self, obj):
        return obj.number


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("case", "action", "actor", "actor_role", "from_state", "to_state", "at")
    list_filter = ("action", "actor_role", "flagged")
    search_fields = ("note",)
    readonly_fields = [f.name for f in CaseEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
