"""`civicloop open311-key NAME`: issue an API key to a client application (printed once);
`--list` shows the keys with their counts; `--revoke KEY` (the key or its prefix) revokes one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from civicloop.open311.models import ApiKey, hash_key


class Command(BaseCommand):
    help = "Issue (NAME), list (--list) or revoke (--revoke KEY) Open311 API keys."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="the client application's name")
        parser.add_argument("--contact", default="", help="who to contact at the client")
        parser.add_argument("--revoke", metavar="KEY", help="a key, or its 12-character prefix")
        parser.add_argument("--list", action="store_true", help="list the keys")

    def handle(self, *args, **options):
        name, revoke, listing = options["name"], options["revoke"], options["list"]
        if sum(bool(x) for x in (name, revoke, listing)) != 1:
            raise CommandError("give exactly one of NAME, --revoke KEY or --list")
        if listing:
            for key in ApiKey.objects.order_by("name"):
                state = "active " if key.active else "revoked"
                self.stdout.write(
                    f"{key.prefix}…  {state}  requests={key.request_count}"
                    f"  reports={key.report_count}  {key.name}"
                )
            return
        if revoke:
            key = ApiKey.objects.filter(key_hash=hash_key(revoke)).first()
            if key is None:
                matches = list(ApiKey.objects.filter(prefix=revoke))
                if len(matches) > 1:
                    raise CommandError("that prefix matches several keys: give the whole key")
                key = matches[0] if matches else None
            if key is None:
                raise CommandError("no such key")
            if not key.revoke():
                self.stdout.write(f"already revoked: {key.name}")
            else:
                self.stdout.write(f"revoked: {key.name} ({key.prefix}…)")
            return
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("the name must have 1 to 100 characters")
        try:
            _key, raw = ApiKey.issue(name, contact=options["contact"])
        except IntegrityError:
            raise CommandError(f"a key named {name!r} exists already") from None
        self.stdout.write(raw)
