from django.contrib import admin

from omov.web.balloting.models import Credential

# Ballots are deliberately not in the admin: nobody browses the box.
admin.site.register(Credential)
