"""The back office: wishes are viewable, their records are read-only."""

import pytest

from civicloop.wishes.models import State

from .factories import make_wish

pytestmark = pytest.mark.django_db


def test_admin_sees_wishes_and_cannot_add_change_or_delete_records(web_as):
    wish = make_wish(State.CLAIMED)
    admin = web_as("admin")
    assert admin.get("/admin/wishes/wish/").status_code == 200
    assert admin.get(f"/admin/wishes/wish/{wish.pk}/change/").status_code == 200
    assert admin.get("/admin/wishes/wishevent/").status_code == 200
    event = wish.events.first()
    assert admin.get("/admin/wishes/wishevent/add/").status_code == 403
    assert admin.get(f"/admin/wishes/wishevent/{event.pk}/delete/").status_code == 403
    page = admin.get(f"/admin/wishes/wishevent/{event.pk}/change/").content.decode()
    assert 'name="note"' not in page  # shown, not editable
