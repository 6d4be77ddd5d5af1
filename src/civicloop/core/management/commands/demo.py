"""`civicloop demo`: load the 兴隆台区 demo data (idempotent: a second run changes nothing)."""

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the 兴隆台区 demo data and demo accounts (idempotent)."

    def handle(self, *args, **options):
        from civicloop.core.demo import load_all

        with transaction.atomic():
            summary = load_all()
        for line in summary:
            self.stdout.write(line)
