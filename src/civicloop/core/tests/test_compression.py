"""Pages and API answers travel gzipped to a browser that accepts it, and plain otherwise."""

from __future__ import annotations

import gzip
import json


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client, foundation):
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = client.get("/")
    assert zipped.status_code == plain.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert not plain.has_header("Content-Encoding")
    assert "<html" in gzip.decompress(zipped.content).decode()


def test_an_api_answer_is_gzipped_and_still_the_same_json(api_as):
    client = api_as("resident")
    zipped = client.get("/api/v1/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    plain = client.get("/api/v1/openapi.json")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
