"""django-csp's middleware with the site's policy built once per process.

django-csp builds the policy's text twice for every response (the header and the
report-only header), from the settings, though nothing here changes it per response: no
view sets a policy of its own (django-csp's decorators) and no template draws a nonce. This
middleware builds both texts on the first response and sets them on every later one as
django-csp would; a response or request that does ask for its own policy (an ``_csp_*``
attribute from a decorator, a nonce drawn) goes to django-csp's own code, unchanged.
"""

from __future__ import annotations

import http
from dataclasses import dataclass
from functools import cached_property

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
"""What django-csp's view decorators set on a response to change its policy."""
DEBUG_EXEMPT = (http.HTTPStatus.INTERNAL_SERVER_ERROR, http.HTTPStatus.NOT_FOUND)


@dataclass(frozen=True)
class Policy:
    header: str
    text: str
    exempt: str
    """The response attribute (django-csp's ``csp_exempt``) that turns the header off."""
    excluded: tuple[str, ...]
    """Path prefixes the settings exclude."""


def _policy(header: str, setting: str, exempt: str, report_only: bool) -> Policy:
    config = getattr(settings, setting, None) or {}
    prefixes = tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())
    return Policy(header, build_policy(report_only=report_only), exempt, prefixes)


class CSPMiddleware(DjangoCSPMiddleware):
    @cached_property
    def policies(self) -> tuple[Policy, Policy]:
        return (
            _policy(HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", report_only=False),
            _policy(
                HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True
            ),
        )

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        own = getattr(request, "_csp_nonce", None) is not None
        if own or any(getattr(response, name, None) is not None for name in PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in DEBUG_EXEMPT and settings.DEBUG:
            return response
        for policy in self.policies:
            if (
                policy.text
                and policy.header not in response
                and getattr(response, policy.exempt, False) is False
                and not request.path_info.startswith(policy.excluded)
            ):
                response[policy.header] = policy.text
        # As django-csp does: a nonce drawn after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
