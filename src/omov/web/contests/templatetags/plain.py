"""Template filters for the sentences of ``omov.web.wording``: ``{% load plain %}``."""

from __future__ import annotations

from django import template

from omov.web import wording

register = template.Library()
register.filter("officer_reason", wording.officer_reason)
register.filter("member_reason", wording.member_reason)
register.filter("method_name", wording.method_name)
register.filter("when", wording.when)
