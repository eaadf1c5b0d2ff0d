from django.contrib import admin

from omov.web.access.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "organisation", "role")
    list_filter = ("organisation", "role")
