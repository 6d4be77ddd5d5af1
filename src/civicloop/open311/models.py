"""Open311 client applications (API keys), the reports they filed, the follow-ups they posted
on them, and the service catalogue's changeset for discovery."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.cases.models import Case, CaseEvent

KEY_PREFIX = "o311_"


def hash_key(raw: str) -> str:
    # Keys are long random strings, so a plain SHA-256 is enough (no slow password hash).
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_hex(10)


class ApiKeyQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """One client application (e.g. 盘锦市12345平台) allowed to file reports; only the key's
    hash is stored, the raw key is shown once when issued."""

    name = models.CharField(_("接入应用名称"), max_length=100, unique=True)
    contact = models.CharField(_("联系人及联系方式"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    request_count = models.PositiveBigIntegerField(_("请求次数"), default=0, editable=False)
    report_count = models.PositiveBigIntegerField(_("提交问题数"), default=0, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 接入密钥")
        verbose_name_plural = _("Open311 接入密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, name: str, *, contact: str = "", note: str = "") -> tuple[ApiKey, str]:
        """Creates a key for a client application; returns it with the raw key (shown once)."""
        raw = KEY_PREFIX + secrets.token_urlsafe(24)
        key = cls.objects.create(
            name=name, contact=contact, note=note, key_hash=hash_key(raw), prefix=raw[:12]
        )
        return key, raw

    def set_new_key(self) -> str:
        """Gives an unsaved key its secret (the admin's add form); returns the raw key."""
        raw = KEY_PREFIX + secrets.token_urlsafe(24)
        self.key_hash, self.prefix = hash_key(raw), raw[:12]
        return raw

    @classmethod
    def authenticate(cls, raw: str) -> ApiKey | None:
        """The live key for `raw` with its request counted, or None."""
        if not raw or len(raw) > 200:
            return None
        key = cls.objects.live().filter(key_hash=hash_key(raw)).first()
        if key is None:
            return None
        # One UPDATE with F(): concurrent requests never lose a count.
        cls.objects.filter(pk=key.pk).update(
            request_count=F("request_count") + 1, last_used_at=timezone.now()
        )
        return key

    def revoke(self) -> bool:
        """Revokes the key; False if it already was."""
        changed = ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.refresh_from_db(fields=["revoked_at"])
        return bool(changed)


class Submission(models.Model):
    """A report that arrived through Open311: which application filed it, its token, and the
    submitter's details that the case itself has no place for (never shown publicly)."""

    case = models.OneToOneField(
        Case, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="open311"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("接入应用"), on_delete=models.PROTECT, related_name="submissions"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    jurisdiction_id = models.CharField(_("jurisdiction_id"), max_length=100, blank=True)
    service_code = models.CharField(_("service_code"), max_length=30, blank=True)
    email = models.EmailField(_("邮箱"), max_length=200, blank=True)
    device_id = models.CharField(_("设备标识"), max_length=100, blank=True)
    account_id = models.CharField(_("账号标识"), max_length=100, blank=True)
    address_id = models.CharField(_("地址编码"), max_length=100, blank=True)
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    # The spec allows 4000 characters, a case holds 2000: the whole text is kept here and
    # answered to clients, the case carries its beginning.
    full_description = models.TextField(_("完整描述"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 提交记录")
        verbose_name_plural = _("Open311 提交记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.api_key.name} → {self.case_id}"


class ClientUpdate(models.Model):
    """A follow-up (留言) a client application posted on one of its reports (FixMyStreet's
    POST servicerequestupdates): the client's own update_id, unique per key so that a retried
    POST answers the first comment instead of recording a second one."""

    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("接入应用"), on_delete=models.PROTECT, related_name="updates"
    )
    update_id = models.CharField(_("客户端更新编号"), max_length=100)
    case = models.ForeignKey(
        Case, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="open311_updates"
    )
    event = models.OneToOneField(
        CaseEvent,
        verbose_name=_("留言记录"),
        on_delete=models.PROTECT,
        related_name="open311_update",
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 留言记录")
        verbose_name_plural = _("Open311 留言记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "update_id"], name="open311_update_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_key.name} {self.update_id} → {self.case_id}"


class Catalogue(models.Model):
    """A single row: when the service catalogue (categories) last changed, for discovery's
    `changeset` (clients refresh cached service definitions when it moves)."""

    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("服务目录版本")
        verbose_name_plural = _("服务目录版本")

    def __str__(self) -> str:
        return self.changed_at.isoformat()

    @classmethod
    def touch(cls) -> None:
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"changed_at": now})

    @classmethod
    def changeset(cls):
        row = cls.objects.filter(pk=1).first()
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1)
        return row.changed_at
