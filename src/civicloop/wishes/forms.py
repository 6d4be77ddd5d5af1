"""Forms of the wish pages: posting a wish, each action's fields, and the wall's filters."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from civicloop.core.forms import IdChoiceField
from civicloop.core.models import Region

from . import conf
from .models import BeneficiaryType, Category


class WishForm(forms.Form):
    content = forms.CharField(
        label=_("心愿内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如：想要一套初中数学辅导书；希望有人陪老人去医院复查"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    value_cap = forms.IntegerField(label=_("价值上限（元）"), min_value=1)
    beneficiary_type = forms.ChoiceField(
        label=_("受助人类型"), choices=BeneficiaryType.choices, initial=BeneficiaryType.OTHER
    )
    beneficiary_name = forms.CharField(label=_("受助人姓名"), max_length=50)
    beneficiary_phone = forms.RegexField(
        label=_("受助人电话"),
        max_length=20,
        min_length=3,
        regex=r"^[0-9+\-\s]+$",
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    beneficiary_address = forms.CharField(label=_("受助人地址"), max_length=200)
    community = IdChoiceField(label=_("所在社区"), queryset=Region.objects.none())

    def __init__(self, *args, communities: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_cap"].widget.attrs["max"] = conf.max_value()
        self.fields["value_cap"].validators.append(MaxValueValidator(conf.max_value()))
        self.fields["value_cap"].help_text = _("不超过 %(max)d 元") % {"max": conf.max_value()}
        self.fields["community"].queryset = Region.objects.filter(
            pk__in=[c.pk for c in communities]
        )
        if len(communities) == 1:
            self.fields["community"].initial = communities[0].pk
            self.fields["community"].widget = forms.HiddenInput()
        for name in ("beneficiary_name", "beneficiary_phone", "beneficiary_address"):
            self.fields[name].help_text = _("仅社区和认领党员可见，心愿墙上不显示")


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("核实情况"),
        max_length=300,
        help_text=_("电话或入户核实的情况，如：已电话核实，情况属实"),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不予通过原因"), max_length=300)


class ClaimForm(forms.Form):
    commitment = forms.CharField(
        label=_("认领承诺"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("我承诺在 7 天内联系受助人，按时帮助其实现心愿。"),
    )


class ContactForm(forms.Form):
    note = forms.CharField(
        label=_("联系情况"), max_length=300, help_text=_("如：已电话联系，约定周六上门送达")
    )


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("放弃原因"), max_length=300, required=False)


class FulfilForm(forms.Form):
    note = forms.CharField(
        label=_("实现说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("实现照片"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"),
        coerce=int,
        choices=[
            (5, _("5 分 非常满意")),
            (4, _("4 分 满意")),
            (3, _("3 分 一般")),
            (2, _("2 分 不太满意")),
            (1, _("1 分 不满意")),
        ],
        initial=5,
    )
    note = forms.CharField(label=_("反馈意见"), max_length=300, required=False)


class WallFilterForm(forms.Form):
    community = IdChoiceField(
        label=_("社区"),
        queryset=Region.objects.filter(level=Region.Level.COMMUNITY).order_by("code"),
        required=False,
        empty_label=_("全部社区"),
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别")), *Category.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[
            ("", _("全部")),
            ("open", _("待认领")),
            ("claimed", _("已认领")),
            ("done", _("已实现")),
        ],
        required=False,
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        return data
