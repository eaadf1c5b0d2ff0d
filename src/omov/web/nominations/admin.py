from django.contrib import admin

from omov.web.nominations.models import Nomination

admin.site.register(Nomination)
