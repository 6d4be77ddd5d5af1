"""Admin pages for regions, grids, departments, party organisations, people and roles."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    ApiToken,
    Department,
    HolidayOverride,
    PartyOrg,
    PersonalDataAccess,
    Profile,
    Region,
    RoleAssignment,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "kind", "parent", "centroid_lat", "centroid_lng")
    list_filter = ("level", "street")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("centroid_lat", "centroid_lng")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "phone", "active")
    search_fields = ("name", "code", "short_name")
    list_filter = ("active",)


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit_type", "parent", "region")
    list_filter = ("kind", "unit_type")
    search_fields = ("name",)
    autocomplete_fields = ("parent", "region")


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ("home_region", "party_org")


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("region", "department", "party_org")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = (ProfileInline, RoleInline)
    list_display = ("username", "profile_name", "is_active", "is_superuser", "last_login")
    list_select_related = ("profile",)

    @admin.display(description="姓名")
    def profile_name(self, obj):
        return getattr(getattr(obj, "profile", None), "masked_name", "")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope_type", "region", "department", "party_org")
    list_filter = ("role", "scope_type")
    search_fields = ("user__username",)
    autocomplete_fields = ("user", "region", "department", "party_org")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "user", "created_at", "last_used_at")
    actions = ["revoke"]

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        queryset.revoke()

    def has_add_permission(self, request):
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """个人信息查看记录: who saw whose full data, when and why — filterable by viewer, purpose
    and date, exportable to Excel for an audit; nobody can add, change or delete a record."""

    list_display = ("at", "viewer", "viewer_roles", "subject", "purpose")
    list_filter = (
        "purpose",
        ("at", admin.DateFieldListFilter),
        ("viewer", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("viewer__username", "viewer__profile__real_name", "subject", "purpose")
    date_hierarchy = "at"
    list_select_related = ("viewer",)
    actions = ["export_xlsx"]

    @admin.display(description="查看人角色")
    def viewer_roles(self, obj):
        from .permissions import assignments

        return "、".join(sorted({str(a.get_role_display()) for a in assignments(obj.viewer)}))

    @admin.action(description="导出所选记录（Excel）")
    def export_xlsx(self, request, queryset):
        return personal_data_workbook_response(queryset)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def personal_data_workbook_response(queryset):
    """The records as an .xlsx download (time in Asia/Shanghai, viewer, subject, purpose)."""
    import io

    from django.http import HttpResponse
    from django.utils import timezone
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "个人信息查看记录"
    sheet.append(["时间", "查看人", "查看对象", "用途"])
    for row in queryset.select_related("viewer").order_by("-at"):
        local = timezone.localtime(row.at).replace(tzinfo=None)
        sheet.append([local, row.viewer.get_username(), row.subject, row.purpose])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename=personal-data-access.xlsx"
    return response
