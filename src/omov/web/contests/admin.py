from django.contrib import admin

from omov.web.contests.models import Candidate, Contest, Organisation, Rulebook

admin.site.register(Organisation)
admin.site.register(Rulebook)
admin.site.register(Contest)
admin.site.register(Candidate)
