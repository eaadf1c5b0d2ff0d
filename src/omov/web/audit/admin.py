from django.contrib import admin

from omov.web.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("stream", "sequence", "kind", "recorded_at")
    readonly_fields = ("stream", "sequence", "kind", "payload", "payload_sha256", "recorded_at")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
