"""Backup and restore round trip: every record and every uploaded file comes back unchanged."""

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError


def snapshot() -> dict:
    """Every row of every civicloop model (cases, events, ledger entries…) plus the users."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {
            "auth",
            "contenttypes",
            "sessions",
            "admin",
            "django_tasks_database",
        }:
            if model._meta.label != "auth.User":
                continue
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return rows


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_back_every_record_and_file(tmp_path, user_named):
    from civicloop.core.demo import load_all
    from civicloop.volunteering import points

    load_all()
    member = user_named("member01")
    points.award(member, 12, key="backup-test", reason="志愿服务")
    balance = points.balance(member)
    default_storage.save("cases/photos/proof.jpg", ContentFile(b"\xff\xd8 pretend photo"))
    before = snapshot()
    assert sum(len(v) for v in before.values()) > 100

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    assert archive.exists()

    call_command("flush", interactive=False, verbosity=0)
    default_storage.delete("cases/photos/proof.jpg")
    assert snapshot() != before

    call_command("restore", str(archive))
    assert snapshot() == before
    with default_storage.open("cases/photos/proof.jpg") as handle:
        assert handle.read() == b"\xff\xd8 pretend photo"
    assert points.balance(member) == balance


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_data(tmp_path, foundation):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="不为空"):
        call_command("restore", str(archive))


@pytest.mark.django_db
def test_backup_never_overwrites_an_existing_file(tmp_path, foundation):
    target = tmp_path / "exists.tar.gz"
    target.write_text("keep me")
    with pytest.raises(CommandError):
        call_command("backup", str(target))
    assert target.read_text() == "keep me"


@pytest.mark.django_db
def test_restore_refuses_something_that_is_not_a_backup(tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as archive:
        (tmp_path / "x.txt").write_text("x")
        archive.add(tmp_path / "x.txt", arcname="x.txt")
    with pytest.raises(CommandError, match="不是 civicloop 备份"):
        call_command("restore", str(bogus))
