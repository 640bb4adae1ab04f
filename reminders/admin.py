from django.contrib import admin

from .models import Assignment, Notification, ReminderLog, ReminderPolicy


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "agency",
        "target",
        "due_on",
        "due_days",
        "required",
        "status",
        "people_done",
        "removed_at",
    ]
    list_filter = ["agency", "status", "required"]
    raw_id_fields = ["course", "path", "unit", "people", "created_by", "removed_by"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["agency", "before_days", "overdue_every_days", "escalate_after_days"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """Read-only: the log is the record of what was sent."""

    list_display = ["key", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", "agency"]
    search_fields = ["key", "recipient__email"]
    readonly_fields = [f.name for f in ReminderLog._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at"]
    raw_id_fields = ["user", "log"]
