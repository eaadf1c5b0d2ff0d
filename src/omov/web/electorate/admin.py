from django.contrib import admin

from omov.web.electorate.models import Appeal, Elector


@admin.register(Elector)
class ElectorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("reference", "section", "eligibility", "reason", "has_voted")
    search_fields = ("reference", "email")


admin.site.register(Appeal)
