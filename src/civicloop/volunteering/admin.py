"""Back office of volunteer service: catalogue, rewards, settings; ledgers and records read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    MemberRegistration,
    OrgPairing,
    PointsAccount,
    PointsEntry,
    Redemption,
    Reward,
    ServiceOrder,
    ServiceRecord,
    Task,
    TaskClaim,
    Volunteer,
    VolunteerEvent,
    VolunteeringSettings,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible to admins, never changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "member", "kind", "points", "balance_after", "reason", "created_by")
    list_filter = ("kind",)
    search_fields = ("member__username", "reason", "key")


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ("member", "balance")
    search_fields = ("member__username",)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "certificate_number",
        "volunteer_number",
        "member",
        "activity",
        "date",
        "community",
        "hours",
        "points",
        "confirmed_by",
    )
    list_filter = ("community", "service_type")
    search_fields = ("certificate_number", "volunteer_number", "member__username", "activity")
    date_hierarchy = "date"


@admin.register(VolunteerEvent)
class VolunteerEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "task", "claim", "order", "note")
    list_filter = ("action",)


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("at", "member", "reward", "points")


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ("number", "member", "created_at")
    search_fields = ("number", "member__username")


@admin.register(MemberRegistration)
class MemberRegistrationAdmin(admin.ModelAdmin):
    list_display = ("member", "community", "party_org", "state", "created_at", "decided_by")
    list_filter = ("state", "community")
    search_fields = ("member__username",)
    readonly_fields = ("decided_at", "decided_by")


@admin.register(OrgPairing)
class OrgPairingAdmin(admin.ModelAdmin):
    list_display = ("party_org", "community", "agreement_date", "contact_name", "active")
    list_filter = ("active", "community")
    search_fields = ("party_org__name", "community__name")


# Orders and tasks change state only through the workflow in actions.py (the staff pages).
@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "service_type", "community", "state", "created_at")
    list_filter = ("state", "service_type", "community")
    exclude = ("phone", "address", "contact_name")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "community", "starts_at", "ends_at", "places", "points", "state")
    list_filter = ("state", "community", "service_type")
    search_fields = ("title",)
    exclude = ("checkin_code",)


@admin.register(TaskClaim)
class TaskClaimAdmin(ReadOnlyAdmin):
    list_display = ("task", "member", "state", "claimed_at", "checked_in_at", "checked_out_at")
    list_filter = ("state",)


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("name", "points", "stock", "community", "active")
    list_filter = ("active",)
    list_editable = ("stock", "active")


@admin.register(VolunteeringSettings)
class VolunteeringSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "leaderboards_enabled")
    fieldsets = ((_("积分排行榜"), {"fields": ("leaderboards_enabled",)}),)

    def has_add_permission(self, request):
        return not VolunteeringSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
