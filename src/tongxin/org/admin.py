"""The Django admin: for the platform's administrators only, never the main UI."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Officer, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["police_number", "name", "gender", "unit", "post", "rank", "is_active"]
    list_filter = ["gender", "party_status", "is_active"]
    search_fields = ["police_number", "name"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "officer", "is_active", "is_superuser", "must_change_password"]
    raw_id_fields = ["officer"]
    filter_horizontal = ["groups", "user_permissions", "scope_units"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("同心", {"fields": ("officer", "scope_units", "must_change_password")}),
    )
