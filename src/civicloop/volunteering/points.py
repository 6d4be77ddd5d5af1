"""The only code that writes the points ledger: award, redeem, correct — each exactly once per key.

Every write locks the member's PointsAccount row (select_for_update; SQLite serialises writers
with BEGIN IMMEDIATE), checks the key, appends the entry with the new balance, and updates the
account, all in one transaction. A balance can never go negative."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from .models import PointsAccount, PointsEntry


class PointsError(Exception):
    def __init__(self, message: str, code: str = "points_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class InsufficientPoints(PointsError):
    def __init__(self, balance: int, needed: int):
        super().__init__(
            _("积分不足：当前 %(balance)d 分，需要 %(needed)d 分")
            % {"balance": balance, "needed": needed},
            code="insufficient_points",
        )


@dataclass(frozen=True)
class Posted:
    entry: PointsEntry
    created: bool  # False when the key had been posted before: nothing new was written


def _post(member, kind: str, points: int, *, key: str, reason: str, source=None, by=None) -> Posted:
    if not key:
        raise ValueError("a ledger entry needs a key")
    with transaction.atomic():
        account, _created = PointsAccount.objects.get_or_create(member=member)
        account = PointsAccount.objects.select_for_update().get(pk=account.pk)
        existing = PointsEntry.objects.filter(key=key).first()
        if existing is not None:
            if existing.member_id != member.pk:
                raise ValueError(f"ledger key {key!r} belongs to another member")
            return Posted(existing, False)
        new_balance = account.balance + points
        if new_balance < 0:
            raise InsufficientPoints(account.balance, -points)
        try:
            with transaction.atomic():
                entry = PointsEntry.objects.create(
                    member=member,
                    kind=kind,
                    points=points,
                    reason=reason[:200],
                    key=key,
                    source_type=source.__class__.__name__.lower() if source is not None else "",
                    source_id=getattr(source, "pk", None),
                    balance_after=new_balance,
                    created_by=by,
                )
        except IntegrityError:
            # Another transaction wrote this key first (possible only across members' locks).
            return Posted(PointsEntry.objects.get(key=key), False)
        PointsAccount.objects.filter(pk=account.pk).update(balance=new_balance)
    return Posted(entry, True)


def award(member, points: int, *, key: str, reason: str, source=None, by=None) -> Posted:
    """积分奖励: adds points once per key (e.g. "task:12:member:7")."""
    if points <= 0:
        raise ValueError("an award adds points")
    return _post(
        member, PointsEntry.Kind.AWARD, points, key=key, reason=reason, source=source, by=by
    )


def redeem(member, points: int, *, key: str, reason: str, source=None, by=None) -> Posted:
    """积分兑换: takes points once per key; refuses with InsufficientPoints below zero."""
    if points <= 0:
        raise ValueError("a redemption takes a positive number of points")
    return _post(
        member, PointsEntry.Kind.REDEMPTION, -points, key=key, reason=reason, source=source, by=by
    )


def correct(member, points: int, *, key: str, reason: str, by=None) -> Posted:
    """更正: a signed adjustment with a reason, never an edit of an old entry."""
    if points == 0 or not reason.strip():
        raise ValueError("a correction needs a non-zero amount and a reason")
    return _post(member, PointsEntry.Kind.CORRECTION, points, key=key, reason=reason, by=by)


def balance(member) -> int:
    """The balance derived from the ledger itself."""
    return PointsEntry.objects.filter(member=member).aggregate(total=Sum("points"))["total"] or 0
