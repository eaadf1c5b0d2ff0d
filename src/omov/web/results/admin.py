from django.contrib import admin

from omov.web.results.models import Result

admin.site.register(Result)
