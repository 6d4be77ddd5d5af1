"""Moves the discovery changeset whenever a category (an Open311 service) changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from civicloop.cases.models import Category

from .models import Catalogue


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _catalogue_changed(sender, raw=False, **kwargs) -> None:
    if raw:
        return  # loading a backup or fixture
    Catalogue.touch()
