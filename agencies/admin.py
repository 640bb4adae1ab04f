from django.contrib import admin

from .access import actor_cache_expire_all, actor_cache_forget
from .models import Agency, AgencyDomain, AuditEvent, Invitation, Membership, Unit


class AgencyDomainInline(admin.TabularInline):
    model = AgencyDomain
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "slug", "time_zone", "mfa_required", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AgencyDomainInline]

    # Every member's cached placement carries the agency's settings (agencies.access).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        actor_cache_expire_all()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        actor_cache_expire_all()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        actor_cache_expire_all()


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "agency", "path"]
    list_filter = ["agency"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "unit", "role", "is_active"]
    list_filter = ["agency", "role", "is_active"]
    raw_id_fields = ["user", "unit"]
    # Joining, moving and deactivating go through agencies.services (member pages), which keep
    # the member counts and the enrollments' units in step; the admin only changes roles.
    readonly_fields = ["user", "agency", "unit", "is_active"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        actor_cache_forget([obj.user_id])


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "agency", "role", "created_at", "accepted_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agency", "actor_email", "action", "target", "outcome"]
    list_filter = ["agency", "outcome"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
