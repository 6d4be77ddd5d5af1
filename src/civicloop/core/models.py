"""People, regions, departments and party organisations, and the roles users hold within a scope."""

from __future__ import annotations

import hashlib
import pickle
import secrets
import threading
from collections import OrderedDict
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.lib import geo
from civicloop.lib.masking import mask_name, mask_phone

from . import snapshots
from .appendonly import AppendOnlyModel


class Region(models.Model):
    """A node of the region tree 区 → 街道/镇/农场 → 社区/村 → 网格."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        GRID = "grid", _("网格")

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("类型"), max_length=20, blank=True, help_text=_("如 街道、镇、农场、社区、村")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Denormalised ancestors so that scope filters are plain indexed lookups.
    street = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    community = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    geometry = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    centroid_lng = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("行政区域/网格")
        verbose_name_plural = _("行政区域/网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent = {
            self.Level.DISTRICT: None,
            self.Level.STREET: self.Level.DISTRICT,
            self.Level.COMMUNITY: self.Level.STREET,
            self.Level.GRID: self.Level.COMMUNITY,
        }[self.level]
        if expected_parent is None and self.parent_id:
            raise ValidationError({"parent": _("区没有上级")})
        if expected_parent and (not self.parent or self.parent.level != expected_parent):
            raise ValidationError({"parent": _("上级层级不正确")})
        if self.geometry:
            try:
                geo.parse_polygon(self.geometry)
            except ValueError as exc:
                raise ValidationError({"geometry": str(exc)}) from exc
        if self.level == self.Level.GRID and not self.geometry:
            raise ValidationError({"geometry": _("网格必须有边界")})

    def save(self, *args, **kwargs) -> None:
        self.street = None
        self.community = None
        if self.parent is not None:
            for node in self.parent.ancestors():
                if node.level == self.Level.STREET:
                    self.street = node
                elif node.level == self.Level.COMMUNITY:
                    self.community = node
        if self.geometry:
            lat, lng = geo.centroid(self.geometry)
            self.centroid_lat, self.centroid_lng = lat, lng
        super().save(*args, **kwargs)
        if self.level == self.Level.STREET and self.street_id != self.pk:
            Region.objects.filter(pk=self.pk).update(street=self)
            self.street_id = self.pk
        if self.level == self.Level.COMMUNITY and self.community_id != self.pk:
            Region.objects.filter(pk=self.pk).update(community=self)
            self.community_id = self.pk

    def ancestors(self) -> list[Region]:
        nodes, node = [], self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes

    def descendant_ids(self) -> set[int]:
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Department(models.Model):
    """A district department (职能部门) that handles dispatched cases."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    code = models.CharField(_("编码"), max_length=30, unique=True)
    phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    webhook_url = models.URLField(_("通知 Webhook"), blank=True)
    webhook_secret = models.CharField(_("Webhook 签名密钥"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PartyOrg(models.Model):
    """A party organisation (党委, 党工委, 党组, 党总支, 支部) in a tree."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        LEADING_GROUP = "leading_group", _("党组")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")

    class UnitType(models.TextChoices):
        ORGAN = "organ", _("机关")
        SOE = "soe", _("国企")
        SCHOOL = "school", _("学校")
        PRIVATE = "private", _("非公")
        COMMUNITY = "community", _("社区")

    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    unit_type = models.CharField(_("单位类型"), max_length=12, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                PartyOrg.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Profile(models.Model):
    """Personal data of a user; shown masked unless the viewer needs it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("居住社区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    party_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在党组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_party_member = models.BooleanField(_("党员"), default=False)

    class Meta:
        verbose_name = _("个人资料")
        verbose_name_plural = _("个人资料")

    def __str__(self) -> str:
        return self.masked_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.user.get_username()

    @property
    def masked_name(self) -> str:
        return mask_name(self.real_name) if self.real_name else self.user.get_username()

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    DISPATCHER = "dispatcher", _("指挥中心")
    DEPARTMENT_STAFF = "department_staff", _("部门工作人员")
    PARTY_MEMBER = "party_member", _("党员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    PUBLICITY_OFFICER = "publicity_officer", _("宣传干事")
    LEADER = "leader", _("区领导")
    ADMIN = "admin", _("管理员")


class ScopeType(models.TextChoices):
    DISTRICT = "district", _("全区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    DEPARTMENT = "department", _("部门")
    PARTY_ORG = "party_org", _("党组织")


REGION_SCOPES = {ScopeType.DISTRICT, ScopeType.STREET, ScopeType.COMMUNITY, ScopeType.GRID}


class RoleAssignment(models.Model):
    """A role held by a user within one scope: a region, a department or a party organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope_type = models.CharField(_("范围类型"), max_length=12, choices=ScopeType.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE
    )
    party_org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_type", "region", "department", "party_org"],
                name="unique_role_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.scope_name}"

    @property
    def scope_object(self):
        if self.scope_type in REGION_SCOPES:
            return self.region
        if self.scope_type == ScopeType.DEPARTMENT:
            return self.department
        return self.party_org

    @property
    def scope_id(self) -> int | None:
        obj = self.scope_object
        return obj.pk if obj else None

    @property
    def scope_name(self) -> str:
        obj = self.scope_object
        return str(obj) if obj else str(ScopeType(self.scope_type).label)

    def clean(self) -> None:
        if self.scope_type in REGION_SCOPES:
            if not self.region or self.region.level != self.scope_type:
                raise ValidationError({"region": _("请选择与范围类型一致的区域")})
            if self.department or self.party_org:
                raise ValidationError(_("区域范围不能同时指定部门或党组织"))
        elif self.scope_type == ScopeType.DEPARTMENT:
            if not self.department or self.region or self.party_org:
                raise ValidationError({"department": _("部门范围须且只能指定部门")})
        elif not self.party_org or self.region or self.department:
            raise ValidationError({"party_org": _("党组织范围须且只能指定党组织")})


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def revoke(self) -> int:
        """Revokes these tokens; every process stops accepting them at once."""
        count = self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        snapshots.changed(snapshots.API_TOKENS)
        return count


class _KnownTokens:
    """Tokens this process has checked, with their user, until anything about tokens or users
    changes anywhere (the API_TOKENS snapshot: a revocation, a token edited or deleted, a user
    or profile saved). A request then needs no database query to know its caller; the version
    check rides on the one cache round trip that reads every snapshot token.

    Each request gets its own copy of the user (unpickled), so nothing one request attaches to
    it reaches another. Unknown tokens are never remembered."""

    LIMIT = 10_000

    def __init__(self):
        self.lock = threading.Lock()
        self.version = None
        self.entries: OrderedDict[str, list] = OrderedDict()

    def get(self, version: str, key_hash: str) -> list | None:
        with self.lock:
            if self.version != version:
                self.version, self.entries = version, OrderedDict()
                return None
            entry = self.entries.get(key_hash)
            if entry is not None:
                self.entries.move_to_end(key_hash)
            return entry

    def put(self, version: str, key_hash: str, entry: list) -> None:
        with self.lock:
            if self.version != version:
                return  # a change happened meanwhile: what was read may be stale
            self.entries[key_hash] = entry
            while len(self.entries) > self.LIMIT:
                self.entries.popitem(last=False)


_known_tokens = _KnownTokens()


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, user, days: int | None = None) -> tuple[ApiToken, str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=_hash_token(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + timedelta(days=days or settings.CIVICLOOP_TOKEN_DAYS),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        """The active user holding this live token, or None."""
        key_hash = _hash_token(raw)
        version = snapshots.token(snapshots.API_TOKENS)
        now = timezone.now()
        entry = _known_tokens.get(version, key_hash)
        if entry is None:
            token = (
                cls.objects.live()
                .select_related("user", "user__profile")
                .filter(key_hash=key_hash)
                .first()
            )
            if token is None or not token.user.is_active:
                return None
            # [token id, expires, last used, the user with profile as pickled]
            entry = [token.pk, token.expires_at, token.last_used_at, pickle.dumps(token.user)]
            _known_tokens.put(version, key_hash, entry)
        token_pk, expires_at, last_used_at, user = entry
        if expires_at <= now:
            return None
        # Touch at most once a minute: a busy client should not write on every request.
        if last_used_at is None or now - last_used_at > timedelta(minutes=1):
            cls.objects.filter(pk=token_pk).update(last_used_at=now)
            entry[2] = now
        return pickle.loads(user)  # noqa: S301 - pickled by this process from its own rows


class HolidayOverride(models.Model):
    """An admin's correction to the statutory calendar: a working day or a day off."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"


class PersonalDataAccess(AppendOnlyModel):
    """Who saw whose full personal data, when, and why (个人信息查看记录); append-only."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("查看对象"), max_length=120)
    purpose = models.CharField(_("用途"), max_length=120)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.subject}"

    @cached_property
    def viewer_name(self) -> str:
        return str(self.viewer)
