from django.contrib import admin

from .models import Notification, WebhookDelivery


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title",)
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("key", "department", "created_at", "delivered_at", "attempts", "last_status")
    list_filter = ("department",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
