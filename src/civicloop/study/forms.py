"""Forms of the study pages; the session form is built for a two-minute record on a phone."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.core.forms import IdChoiceField, IdMultipleChoiceField

from .models import Chapter, Lecture, MediaItem, PublicityRecord, ReadingClass, Textbook


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos; each is checked by sanitize_image in actions."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class SessionForm(forms.Form):
    """支部学习: one form; every member is ticked present until the secretary unticks them."""

    date = forms.DateField(label=_("日期"), widget=DateInput())
    topic = forms.CharField(label=_("学习主题"), max_length=120)
    plan_topic = forms.TypedChoiceField(
        label=_("对应专题"), required=False, coerce=int, empty_value=None
    )
    lead_reader = forms.TypedChoiceField(label=_("领读人"), coerce=int)
    chapters = IdMultipleChoiceField(
        label=_("学习章节"),
        queryset=Chapter.objects.select_related("textbook"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_minutes = forms.IntegerField(
        label=_("时长（分钟）"), min_value=10, max_value=600, initial=60
    )
    notes = forms.CharField(
        label=_("学习记录"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(label=_("现场照片"))

    def __init__(self, *args, members, plan_topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["date"].initial = timezone.localdate()
        self.fields["lead_reader"].choices = [("", "—")] + [
            (m.pk, m.profile.display_name) for m in self.members
        ]
        self.fields["plan_topic"].choices = [("", _("（不对应专题）"))] + [
            (t.pk, f"{t.plan.title} · {t.title}") for t in plan_topics
        ]
        self.plan_topics = {t.pk: t for t in plan_topics}
        for m in self.members:
            self.fields[f"present_{m.pk}"] = forms.BooleanField(
                label=m.profile.display_name, required=False, initial=True
            )
            self.fields[f"reason_{m.pk}"] = forms.CharField(
                label=_("缺席原因"), required=False, max_length=100
            )

    def attendance_rows(self):
        return [(m, self[f"present_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.members]

    def chapter_groups(self):
        """The chapter checkboxes grouped by textbook, for the picker."""
        chosen = {str(v) for v in (self["chapters"].value() or [])}
        groups = []
        for book in Textbook.objects.prefetch_related("chapters"):
            chapters = list(book.chapters.all())
            groups.append(
                {
                    "book": book,
                    "chapters": [(c, str(c.pk) in chosen) for c in chapters],
                    "open": any(str(c.pk) in chosen for c in chapters),
                }
            )
        return groups

    def clean(self):
        data = super().clean()
        absent = {}
        for m in self.members:
            if not data.get(f"present_{m.pk}"):
                reason = (data.get(f"reason_{m.pk}") or "").strip()
                if not reason:
                    self.add_error(f"reason_{m.pk}", _("请填写缺席原因"))
                absent[m.pk] = reason
        data["absent"] = absent
        if data.get("lead_reader") in absent:
            self.add_error("lead_reader", _("领读人不能记为缺席"))
        topic_id = data.get("plan_topic")
        data["plan_topic_obj"] = self.plan_topics.get(topic_id) if topic_id else None
        return data


class ReflectionForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    textbook = IdChoiceField(label=_("相关教材"), queryset=Textbook.objects.all(), required=False)
    body = forms.CharField(
        label=_("心得正文"),
        min_length=20,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("通过")), ("return", _("退回"))])
    comment = forms.CharField(
        label=_("审阅意见"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回时必填"),
    )


class OrgChoiceMixin:
    """Adds an 'org' choice limited to the organisations the user may record for."""

    def set_orgs(self, orgs) -> None:
        orgs = list(orgs)
        self.fields["org"] = forms.TypedChoiceField(
            label=_("党组织"), coerce=int, choices=[(o.pk, o.name) for o in orgs]
        )
        self.orgs = {o.pk: o for o in orgs}
        self.order_fields(["org"])


class LectureForm(OrgChoiceMixin, forms.ModelForm):
    photos = PhotosField(label=_("现场照片"))

    class Meta:
        model = Lecture
        fields = ["troupe", "speaker", "unit_visited", "topic", "date", "audience", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天"))
        return date

    def clean_audience(self):
        audience = self.cleaned_data["audience"]
        if audience > 100_000:
            raise forms.ValidationError(_("受众人数不合理"))
        return audience


class ReadingClassForm(OrgChoiceMixin, forms.ModelForm):
    class Meta:
        model = ReadingClass
        fields = ["kind", "title", "organiser", "mode", "date", "participants", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_participants(self):
        value = self.cleaned_data["participants"]
        if value > 100_000:
            raise forms.ValidationError(_("参加人数不合理"))
        return value


class PublicityForm(OrgChoiceMixin, forms.ModelForm):
    link = forms.URLField(label=_("链接"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = PublicityRecord
        fields = ["kind", "channel", "date", "title", "link"]
        widgets = {"date": DateInput()}


class MediaForm(OrgChoiceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=MediaItem.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(
        label=_("简介"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("音频：MP3、M4A、AAC、OGG、WAV；视频：MP4、WebM"),
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*,video/mp4,video/webm"}),
    )


class ArticleImportForm(OrgChoiceMixin, forms.Form):
    text = forms.CharField(
        label=_("粘贴文章"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("第一行作为标题；网页上复制的拼音注音会被去掉"),
    )
    file = forms.FileField(
        label=_("或上传文件"),
        required=False,
        help_text=_(".txt、.html 或 .docx"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.html,.htm,.docx"}),
    )
    to_simplified = forms.BooleanField(label=_("转换为简体字"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("请粘贴文章或选择一个文件"))
        return data


class PlanForm(OrgChoiceMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=120)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    topics = forms.CharField(
        label=_("学习专题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个专题"),
    )


class MilestoneForm(forms.Form):
    due = forms.DateField(label=_("完成时间"), widget=DateInput())
    title = forms.CharField(label=_("内容"), max_length=120, required=False)
    chapters = IdMultipleChoiceField(
        label=_("应学章节"),
        queryset=Chapter.objects.select_related("textbook"),
        widget=forms.CheckboxSelectMultiple,
    )
