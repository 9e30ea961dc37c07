"""The id of the request being served, so audit rows written deep in a service can name it."""

from __future__ import annotations

import contextvars

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()


#: The client's IP address for the request being served ("" outside a request), for the audit trail.
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


def current_client_ip() -> str:
    return client_ip_var.get()
