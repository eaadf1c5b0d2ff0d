"""Django's message middleware, its storage made when a view or a page first uses it.

Django makes the storage (importing ``MESSAGE_STORAGE`` by name) on every request and asks
it to save on every response, though only officers' pages add or show messages: a voter's
sign-in and cast never do. Here the storage is made on first use; one never used has
nothing to save (Django's ``update`` of an untouched storage stores nothing either).
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


class MessageMiddleware(DjangoMessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if type(messages) is SimpleLazyObject and messages._wrapped is empty:  # type: ignore[attr-defined]
            return response
        return super().process_response(request, response)
