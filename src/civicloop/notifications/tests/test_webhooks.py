"""Department webhooks: signed with the department's secret, delivered once even when two
workers try, retried after a failure."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from civicloop.core.testing import at_once
from civicloop.notifications import tasks
from civicloop.notifications.actions import post_webhook
from civicloop.notifications.models import WebhookDelivery


class Receiver:
    def __init__(self, status=200):
        self.status = status
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.mark.django_db
def test_a_webhook_is_signed_and_sent_once_per_key(
    foundation, receiver, django_capture_on_commit_callbacks
):
    department = foundation["departments"]["CG"]
    department.webhook_url, department.webhook_secret = receiver.url, "s3cret"
    department.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = post_webhook(department, key="case:1:event:2", payload={"event": "dispatch"})
        again = post_webhook(department, key="case:1:event:2", payload={"event": "dispatch"})
    assert first is not None and again is None
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    expected = hmac.new(
        b"s3cret", headers["X-Civicloop-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Civicloop-Signature"] == f"sha256={expected}"
    assert json.loads(body) == {"event": "dispatch"}
    assert WebhookDelivery.objects.get().delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_a_webhook_once(foundation, receiver):
    department = foundation["departments"]["CG"]
    department.webhook_url = receiver.url
    department.save()
    delivery = WebhookDelivery.objects.create(
        department=department, key="k", url=receiver.url, payload={"a": 1}
    )
    results = at_once(2, lambda _i: tasks.deliver_webhook.call(delivery.pk))
    assert sorted(results, key=repr) == [False, True], results
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_failed_webhook_is_retried_by_the_sweep(foundation):
    failing = Receiver(status=500)
    try:
        department = foundation["departments"]["CG"]
        delivery = WebhookDelivery.objects.create(
            department=department, key="k2", url=failing.url, payload={}
        )
        assert tasks.deliver_webhook.call(delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.attempts == 1 and delivery.delivered_at is None
        failing.status = 200
        assert tasks.retry_webhooks() == 1
        delivery.refresh_from_db()
        assert delivery.delivered_at is not None and delivery.attempts == 2
        assert tasks.retry_webhooks() == 0
    finally:
        failing.close()
