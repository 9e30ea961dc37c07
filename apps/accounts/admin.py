from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import Board, BoardMembership, Institution, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Tumor board", {"fields": ("role",)}))  # type: ignore[misc]


class MembershipInline(admin.TabularInline):
    model = BoardMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "quorum", "created_at")
    list_filter = ("institution",)
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(BoardMembership)
class BoardMembershipAdmin(admin.ModelAdmin):
    list_display = ("board", "user", "is_chair")
    list_filter = ("board", "is_chair")
    list_select_related = ("board", "user")
