"""Forms of the volunteering pages (thin: the rules live in actions.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from civicloop.core.forms import IdChoiceField
from civicloop.core.models import PartyOrg, Region

from .models import ServiceType

PHONE_RE = r"^[0-9+\-\s]{5,20}$"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class OrderForm(forms.Form):
    service_type = forms.ChoiceField(label=_("服务类型"), choices=ServiceType.choices)
    description = forms.CharField(
        label=_("需求说明"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：老人行动不便，需上门理发")}),
    )
    preferred_time = forms.DateTimeField(
        label=_("期望时间"), required=False, widget=DateTimeLocal()
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.RegexField(
        label=_("联系电话"),
        regex=PHONE_RE,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(label=_("服务地址"), min_length=2, max_length=200)
    community = IdChoiceField(
        label=_("代办社区"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("为来电、来访群众代办时选择"),
    )

    def __init__(self, *args, staff_communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_communities is not None and staff_communities.exists():
            self.fields["community"].queryset = staff_communities
            self.fields["contact_name"].required = True
        else:
            del self.fields["community"]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    service_type = forms.ChoiceField(label=_("服务类型"), choices=ServiceType.choices)
    description = forms.CharField(
        label=_("任务说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    address = forms.CharField(label=_("地点"), max_length=200)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeLocal())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeLocal())
    places = forms.IntegerField(label=_("名额"), min_value=1, max_value=1000, initial=1)
    points = forms.IntegerField(label=_("每人积分"), min_value=1, max_value=1000, initial=10)
    checkin_radius_m = forms.IntegerField(
        label=_("报到范围（米）"),
        required=False,
        min_value=10,
        max_value=50_000,
        help_text=_("留空则不校验报到位置"),
    )
    cancel_cutoff = forms.DateTimeField(
        label=_("取消截止"),
        required=False,
        widget=DateTimeLocal(),
        help_text=_("留空则为开始前2小时"),
    )
    order = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RegistrationForm(forms.Form):
    community = IdChoiceField(
        label=_("居住社区"), queryset=Region.objects.filter(level=Region.Level.COMMUNITY)
    )
    skills = forms.CharField(label=_("特长"), max_length=200, required=False)


class PairingForm(forms.Form):
    party_org = IdChoiceField(
        label=_("共建党组织"),
        queryset=PartyOrg.objects.exclude(unit_type=PartyOrg.UnitType.COMMUNITY),
    )
    agreement_date = forms.DateField(
        label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    content = forms.CharField(
        label=_("共建内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.RegexField(label=_("联系电话"), regex=PHONE_RE)


class AssignForm(forms.Form):
    member = forms.CharField(label=_("党员账号"), max_length=150)

    def clean_member(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["member"]).first()
        if user is None:
            raise forms.ValidationError(_("找不到该账号"))
        return user


class CorrectionForm(forms.Form):
    member = forms.CharField(label=_("党员账号"), max_length=150)
    points = forms.IntegerField(label=_("更正分值（可为负）"), min_value=-10_000, max_value=10_000)
    reason = forms.CharField(label=_("原因"), max_length=200)

    def clean_member(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["member"]).first()
        if user is None:
            raise forms.ValidationError(_("找不到该账号"))
        return user
