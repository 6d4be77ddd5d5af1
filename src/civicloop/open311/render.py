"""Answers in the two GeoReport v2 formats: JSON, and XML with the UTF-8 declaration and the
spec's element names (lists wrap each item in the singular element, e.g. services/service)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

from civicloop.core import jsonout

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry (a client's text may contain them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# For XML: the element each item of a named list is wrapped in.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_requests_updates": "request_update",
    "service_request_updates": "request_update",  # the answer to POST servicerequestupdates
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """`data` (a list for list roots, a dict otherwise) under the root element."""
    element = ET.Element(root)
    _fill(element, data)
    return (DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def to_json(data: Any) -> bytes:
    return jsonout.dumps(data)


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """The answer in the requested format; JSON drops the root (the Spark convention)."""
    if fmt == "xml":
        response = HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)
    else:
        response = HttpResponse(to_json(data), content_type=JSON_TYPE, status=status)
    # Public data read by browser-based clients; no cookies are used, so any origin may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, *messages: str, code: int | str | None = None) -> HttpResponse:
    """The spec's error array, one entry per message, with the HTTP status as the code."""
    body = [{"code": code if code is not None else status, "description": m} for m in messages]
    return respond(fmt, "errors", body, status=status)
