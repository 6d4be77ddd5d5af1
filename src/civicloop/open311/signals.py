"""Moves the discovery changeset whenever a category (an Open311 service) changes, and makes
this process forget the directory of categories and departments it keeps for requests."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from civicloop.cases.models import Category
from civicloop.core.models import Department

from . import records
from .models import Catalogue


@receiver(post_save, sender=Department)
@receiver(post_delete, sender=Department)
def _department_changed(sender, **kwargs) -> None:
    records.forget_directory()


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _catalogue_changed(sender, raw=False, **kwargs) -> None:
    records.forget_directory()
    if raw:
        return  # loading a backup or fixture
    Catalogue.touch()
