"""Forms of the 随手拍 pages (the report form; action forms post plain fields to actions.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CaseSource, Category, Rating


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to 9 photos; each is checked by cases.photos.clean_uploads, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/jpeg,image/png,image/webp,image/*",
                    "capture": "environment",
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


def category_choices():
    choices = [("", _("不确定，由工作人员判断"))]
    groups: dict[str, list] = {}
    for category in Category.objects.filter(active=True, parent__isnull=False).select_related(
        "parent"
    ):
        groups.setdefault(category.parent.name, []).append((category.code, category.name))
    return choices + list(groups.items())


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("问题描述"),
        max_length=2000,
        min_length=4,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("例如：3号楼门前垃圾桶满溢，垃圾散落一地")}
        ),
    )
    photos = MultiplePhotoField(
        label=_("照片"), required=False, help_text=_("最多 9 张，JPEG/PNG/WebP，每张不超过 10 MB")
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    address = forms.CharField(
        label=_("地址"),
        max_length=200,
        required=False,
        help_text=_("没有在地图上选点时请填写，如：胜利社区3号楼"),
    )
    category = forms.ChoiceField(label=_("问题分类（可不选）"), required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(label=_("匿名反映（不留姓名和电话）"), required=False)
    source = forms.ChoiceField(label=_("来源"), required=False, choices=CaseSource.choices)
    source_detail = forms.CharField(
        label=_("来源说明"),
        max_length=100,
        required=False,
        help_text=_("如 12345 工单号、来电时间"),
    )

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.staff = staff
        if not staff:
            del self.fields["source"]
            del self.fields["source_detail"]
        else:
            self.fields["source"].initial = CaseSource.PHONE
            self.fields["source"].choices = [
                c for c in CaseSource.choices if c[0] != CaseSource.OPEN311
            ]

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None or data.get("lng") is None) and not data.get("address"):
            raise forms.ValidationError(_("请在地图上选择位置、点“定位”，或填写地址"))
        return data


RATING_CHOICES = Rating.choices
