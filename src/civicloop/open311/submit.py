"""POST requests: reading and checking a GeoReport v2 form, then filing the report through the
cases app so that it enters the same loop as any other (source `open311`, the client
application as its source detail). POST servicerequestupdates (FixMyStreet's extension): a
client's follow-up on a report it filed, recorded as the reporter's 留言 on the case."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from civicloop.cases import actions as case_actions
from civicloop.cases import photos as case_photos
from civicloop.cases.models import CaseSource, Category
from civicloop.core.errors import ActionRefused

from . import conf, records, w3c
from .errors import Open311Error
from .models import ApiKey, ClientUpdate, Submission

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
STRING_MAX, TEXT_MAX = 200, 1000


@dataclass
class Report:
    category: Category
    description: str
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    address_id: str = ""
    attributes: dict = field(default_factory=dict)
    contact_name: str = ""
    contact_phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    images: list = field(default_factory=list)


def _field(data, name: str, max_length: int, errors: list[str]) -> str:
    value = (data.get(name) or "").strip()
    if len(value) > max_length:
        errors.append(_("%(f)s 最多 %(n)d 个字符") % {"f": name, "n": max_length})
        return ""
    return value


def _coordinate(data, name: str, limit: float, errors: list[str]) -> float | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append(_("%(f)s 应为 WGS84 坐标数值") % {"f": name})
        return None
    if not math.isfinite(value) or not -limit <= value <= limit:
        errors.append(_("%(f)s 超出范围（-%(n)s 至 %(n)s）") % {"f": name, "n": int(limit)})
        return None
    return value


def _attribute_values(data) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match:
            values.setdefault(match.group(1), []).extend(data.getlist(key))
    return values


def clean_attributes(category: Category, data, errors: list[str]) -> dict:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2, checked against the
    service definition: unknown codes, missing required values and bad values are errors."""
    specs = {s["code"]: s for s in records.attribute_specs(category)}
    given = _attribute_values(data)
    cleaned: dict = {}
    for code in given:
        if code not in specs:
            errors.append(_("未知的 attribute 代码：%(code)s") % {"code": code})
    for code, spec in specs.items():
        raw = [v.strip() for v in given.get(code, []) if v and v.strip()]
        if not spec["variable"]:
            continue
        if not raw:
            if spec["required"]:
                errors.append(
                    _("缺少必填的 attribute[%(code)s]（%(what)s）")
                    % {"code": code, "what": spec["description"]}
                )
            continue
        datatype = spec["datatype"]
        keys = {v["key"] for v in spec["values"]}
        if datatype != "multivaluelist" and len(raw) > 1:
            errors.append(_("attribute[%(code)s] 只能有一个取值") % {"code": code})
            continue
        value = raw[0]
        if datatype == "number":
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors.append(_("attribute[%(code)s] 应为数字") % {"code": code})
                continue
            cleaned[code] = number
        elif datatype == "datetime":
            try:
                cleaned[code] = w3c.stamp(w3c.parse(value))
            except w3c.BadDate:
                errors.append(
                    _("attribute[%(code)s] 应为带时区的 W3C 日期时间，如 2026-01-01T08:00:00+08:00")
                    % {"code": code}
                )
        elif datatype == "singlevaluelist":
            if value not in keys:
                errors.append(_("attribute[%(code)s] 的取值不在列表中") % {"code": code})
                continue
            cleaned[code] = value
        elif datatype == "multivaluelist":
            if not set(raw) <= keys:
                errors.append(_("attribute[%(code)s] 的取值不在列表中") % {"code": code})
                continue
            cleaned[code] = list(dict.fromkeys(raw))
        else:
            limit = TEXT_MAX if datatype == "text" else STRING_MAX
            if len(value) > limit:
                errors.append(
                    _("attribute[%(code)s] 最多 %(n)d 个字符") % {"code": code, "n": limit}
                )
                continue
            cleaned[code] = value if datatype == "text" else " ".join(value.split())
    return cleaned


def contact_name(first: str, last: str) -> str:
    """张 + 三 → 张三 (Chinese order, no space); John + Smith → John Smith."""
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def parse(data, files) -> Report:
    """A checked report from the POST form, or Open311Error (404 unknown service, 400 else)."""
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code"))
    category = records.find_service(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s 不存在") % {"code": code[:40]})
    errors: list[str] = []
    lat = _coordinate(data, "lat", 90, errors)
    lng = _coordinate(data, "long", 180, errors)
    raw_lat, raw_lng = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    if bool(raw_lat) != bool(raw_lng):
        errors.append(_("lat 和 long 须同时提供"))
    address = _field(data, "address_string", 200, errors)
    address_id = _field(data, "address_id", 100, errors)
    if not (raw_lat and raw_lng) and not address and not address_id:
        errors.append(_("缺少位置：请提供 lat 和 long、address_string 或 address_id"))
    description = (data.get("description") or "").strip()
    if len(description) > conf.description_max():
        errors.append(_("description 最多 %(n)d 个字符") % {"n": conf.description_max()})
    attributes = clean_attributes(category, data, errors)
    first = _field(data, "first_name", 30, errors)
    last = _field(data, "last_name", 30, errors)
    phone = _field(data, "phone", 20, errors)
    if phone and not re.fullmatch(r"[0-9+\- ()]{3,20}", phone):
        errors.append(_("phone 格式不正确"))
    email = _field(data, "email", 200, errors)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("email 格式不正确"))
    media_url = _field(data, "media_url", 500, errors)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url 应为 http 或 https 链接"))
    report = Report(
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        address_id=address_id,
        attributes=attributes,
        contact_name=contact_name(first, last)[:50],
        contact_phone=phone,
        email=email,
        device_id=_field(data, "device_id", 100, errors),
        account_id=_field(data, "account_id", 100, errors),
        media_url=media_url,
    )
    if errors:
        raise Open311Error(400, *errors)
    uploads = files.getlist("media") if files else []
    if uploads:
        try:
            report.images = case_photos.clean_uploads(uploads)
        except ActionRefused as exc:
            raise Open311Error(413 if exc.status == 413 else 400, exc.message) from None
    return report


CASE_DESCRIPTION_MAX = 2000


def _description(report: Report, client: str) -> str:
    text = report.description
    if len(text) > CASE_DESCRIPTION_MAX:
        # The case holds 2000 characters; the rest stays on the Open311 record.
        suffix = _("……（全文见 Open311 提交记录）")
        return text[: CASE_DESCRIPTION_MAX - len(suffix)] + suffix
    if len(text) < 4:
        # The spec makes description optional; the loop needs words a person can act on.
        text = _("%(service)s（由%(client)s提交，未附描述）%(text)s") % {
            "service": report.category.name,
            "client": client,
            "text": text,
        }
    if report.media_url and len(text) + len(report.media_url) + 8 <= 2000:
        text += "\n" + _("图片链接：") + report.media_url
    return text


def file_report(
    report: Report, key: ApiKey, *, jurisdiction_id: str = "", idempotency_key: str = ""
) -> Submission:
    """Files the report as a case (one transaction with its Open311 record)."""
    address = report.address or (
        _("地址编码 %(id)s") % {"id": report.address_id} if report.address_id else ""
    )
    try:
        with transaction.atomic():
            case, created = case_actions.create_case(
                None,
                description=_description(report, key.name),
                lat=report.lat,
                lng=report.lng,
                address=address,
                category=report.category,
                attributes=report.attributes,
                contact_name=report.contact_name,
                contact_phone=report.contact_phone,
                source=CaseSource.OPEN311,
                source_detail=key.name[:100],
                images=report.images,
                idempotency_scope=f"open311:{key.pk}" if idempotency_key else "",
                idempotency_key=idempotency_key[:100],
            )
            if not created:
                existing = Submission.objects.filter(case=case).first()
                if existing is not None:
                    return existing
            submission = Submission.objects.create(
                case=case,
                api_key=key,
                jurisdiction_id=jurisdiction_id[:100],
                service_code=report.category.code,
                email=report.email,
                device_id=report.device_id,
                account_id=report.account_id,
                address_id=report.address_id,
                media_url=report.media_url,
                full_description=report.description
                if len(report.description) > CASE_DESCRIPTION_MAX
                else "",
            )
            ApiKey.objects.filter(pk=key.pk).update(report_count=F("report_count") + 1)
    except ActionRefused as exc:
        raise Open311Error(413 if exc.status == 413 else 400, exc.message) from None
    return submission


# --- servicerequestupdates: a client's follow-up on its own report -------------------------

UPDATE_DESCRIPTION_MAX = 2000  # what a case note holds (a 办结回复 has as much)
# OPEN / CLOSED, or one of FixMyStreet's extended statuses (FIXED, IN_PROGRESS, DUPLICATE, …):
# recorded with the note, never applied to the case.
UPDATE_STATUS = re.compile(r"[A-Z][A-Z_]{0,39}")


@dataclass
class ClientComment:
    """A checked POST servicerequestupdates. The personal fields a client sends with it
    (email, first_name, last_name, phone, account_id) are checked and then dropped: the case
    already has the reporter's contact from the report."""

    service_request_id: int
    update_id: str
    description: str
    status: str = ""
    media_url: str = ""
    sent_at: datetime | None = None


def parse_update(data) -> ClientComment:
    """A checked update from the POST form, or Open311Error (404 unknown request, 400 else)."""
    raw_id = (data.get("service_request_id") or "").strip()
    if not raw_id:
        raise Open311Error(400, _("缺少 service_request_id"))
    if not (raw_id.isdecimal() and raw_id.isascii() and len(raw_id) <= 12):
        raise Open311Error(404, _("service_request_id %(id)s 不存在") % {"id": raw_id[:20]})
    errors: list[str] = []
    if not (data.get("update_id") or "").strip():
        errors.append(_("缺少 update_id"))
    update_id = _field(data, "update_id", 100, errors)
    description = (data.get("description") or "").strip()
    if not description:
        errors.append(_("缺少 description（留言内容）"))
    elif len(description) > UPDATE_DESCRIPTION_MAX:
        errors.append(_("description 最多 %(n)d 个字符") % {"n": UPDATE_DESCRIPTION_MAX})
    status = (data.get("status") or "").strip().upper()
    if status and not UPDATE_STATUS.fullmatch(status):
        errors.append(_("status 应为 OPEN、CLOSED 等状态代码（大写字母和下划线）"))
    sent_at = None
    raw_date = (data.get("updated_datetime") or "").strip()
    if raw_date:
        try:
            sent_at = w3c.parse(raw_date)
        except w3c.BadDate:
            errors.append(
                _(
                    "updated_datetime 格式不正确，应为带时区的 W3C 日期时间，如 2026-01-01T00:00:00+08:00"
                )
            )
    media_url = _field(data, "media_url", 500, errors)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url 应为 http 或 https 链接"))
    # Checked like a report's, never kept (see ClientComment).
    for name, limit in (
        ("email", 200),
        ("first_name", 30),
        ("last_name", 30),
        ("phone", 20),
        ("account_id", 100),
    ):
        _field(data, name, limit, errors)
    if errors:
        raise Open311Error(400, *errors)
    return ClientComment(
        service_request_id=int(raw_id),
        update_id=update_id,
        description=description,
        status=status,
        media_url=media_url,
        sent_at=sent_at,
    )


def _earlier(comment: ClientComment, key: ApiKey) -> ClientUpdate | None:
    """The update this key already posted with this update_id (a retry), if any."""
    earlier = ClientUpdate.objects.filter(api_key=key, update_id=comment.update_id).first()
    if earlier is not None and earlier.case_id != comment.service_request_id:
        raise Open311Error(
            400,
            _("update_id %(u)s 已用于问题 %(id)d 的留言，请换一个 update_id")
            % {"u": comment.update_id, "id": earlier.case_id},
        )
    return earlier


def file_update(comment: ClientComment, key: ApiKey) -> ClientUpdate:
    """Records the follow-up as a 留言 on the case, once per (key, update_id): a retry answers
    the first record, also when two copies of one POST arrive at the same moment."""
    own = Submission.objects.filter(case_id=comment.service_request_id, api_key=key).exists()
    if not own:
        # Another client's report, or none at all: a client comments on its own reports only.
        raise Open311Error(
            404, _("service_request_id %(id)d 不存在") % {"id": comment.service_request_id}
        )
    earlier = _earlier(comment, key)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            event = case_actions.comment_from_client(
                comment.service_request_id,
                note=comment.description,
                client=key.name,
                update_id=comment.update_id,
                status=comment.status,
                media_url=comment.media_url,
                sent_at=comment.sent_at,
            )
            return ClientUpdate.objects.create(
                api_key=key,
                update_id=comment.update_id,
                case_id=comment.service_request_id,
                event=event,
            )
    except IntegrityError:
        # The same update, posted at the same moment, committed first: the unique key rolled
        # this copy (its event and its announcement) back; answer the first.
        earlier = _earlier(comment, key)
        if earlier is not None:
            return earlier
        raise
    except ActionRefused as exc:
        # No 409 in the GeoReport error array: a case that is no longer open is a 400 whose
        # description says why.
        raise Open311Error(404 if exc.status == 404 else 400, exc.message) from None
