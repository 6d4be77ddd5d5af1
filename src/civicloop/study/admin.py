"""Back office of the study app: textbooks and plans are configured here; records are
append-only where they are history (audit, reflection events)."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Article,
    Attendance,
    AuditEntry,
    Chapter,
    Lecture,
    MediaItem,
    PlanMilestone,
    PlanTopic,
    PublicityRecord,
    ReadingClass,
    Reflection,
    ReflectionEvent,
    StudyPlan,
    StudySession,
    Textbook,
)


class ChapterInline(admin.TabularInline):
    model = Chapter
    extra = 0


@admin.register(Textbook)
class TextbookAdmin(admin.ModelAdmin):
    list_display = ["title", "short_title", "order"]
    inlines = [ChapterInline]


class TopicInline(admin.TabularInline):
    model = PlanTopic
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = PlanMilestone
    extra = 0
    filter_horizontal = ["chapters"]


@admin.register(StudyPlan)
class StudyPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "org", "year"]
    list_filter = ["year"]
    inlines = [TopicInline, MilestoneInline]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ["date", "topic", "org", "lead_reader", "duration_minutes"]
    list_filter = ["date"]
    search_fields = ["topic", "org__name"]
    raw_id_fields = ["lead_reader", "recorded_by"]
    filter_horizontal = ["chapters"]
    inlines = [AttendanceInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReflectionEventInline(admin.TabularInline):
    model = ReflectionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "from_state", "to_state", "note", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "org", "state", "created_at"]
    list_filter = ["state"]
    # The review cycle runs through actions (it writes events); the admin only reads.
    readonly_fields = [
        "author",
        "org",
        "state",
        "review_comment",
        "reviewed_by",
        "reviewed_at",
    ]
    inlines = [ReflectionEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # its review history is append-only


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["date", "topic", "troupe", "speaker", "unit_visited", "audience"]
    raw_id_fields = ["recorded_by"]


@admin.register(ReadingClass)
class ReadingClassAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "kind", "mode", "participants"]
    raw_id_fields = ["recorded_by"]


@admin.register(MediaItem)
class MediaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "org", "plays", "published"]
    list_filter = ["kind", "published"]
    readonly_fields = ["content_type", "size", "plays", "uploaded_by"]

    def has_add_permission(self, request):
        return False  # uploads go through the sniffing upload page


@admin.register(PublicityRecord)
class PublicityRecordAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "kind", "channel", "org"]
    list_filter = ["kind", "channel"]
    raw_id_fields = ["recorded_by"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "org", "simplified", "created_at"]
    raw_id_fields = ["imported_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "detail"]
    list_filter = ["action"]
