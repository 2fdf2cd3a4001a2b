"""Django admin for platform administrators: agencies, sharing groups, users.

Registry records are deliberately NOT registered: the admin site bypasses the
visibility layer, and a platform administrator sees no operational data by
virtue of that role.
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from liaison.sharing.models import Agency, SharingGroup, User


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "country", "parent", "is_member"]
    list_filter = ["kind", "is_member", "country"]
    search_fields = ["name", "native_name", "short_name"]
    autocomplete_fields = ["parent"]


@admin.register(SharingGroup)
class SharingGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "agency", "roles", "is_active", "last_login"]
    list_filter = ["agency", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Liaison", {"fields": ["agency", "roles", "preferred_language"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Liaison", {"fields": ["agency", "roles"]}),)
