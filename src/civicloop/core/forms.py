"""Forms of the core app, and the form fields every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .auth import LoginRefused, sign_in


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput, max_length=256
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.user = sign_in(self.request, data["username"], data["password"])
        except LoginRefused as exc:
            raise forms.ValidationError(
                exc.message, code="locked" if exc.status == 429 else "invalid"
            ) from exc
        return data


MAX_ID = 2**63 - 1  # the database's bigint


def _check_ids(field, values) -> None:
    """Refuses a submitted id the database could not even compare (too large for a bigint, or
    not a number): SQLite raises OverflowError on such a parameter instead of finding nothing."""
    for value in values:
        if isinstance(value, field.queryset.model) or value in field.empty_values:
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or not 0 < number <= MAX_ID:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class IdChoiceField(forms.ModelChoiceField):
    """ModelChoiceField that refuses an out-of-range id with its usual error, not a 500."""

    def to_python(self, value):
        _check_ids(self, [value])
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField that refuses out-of-range ids with its usual error, not a 500."""

    def _check_values(self, value):
        try:
            _check_ids(self, value)
        except ValidationError as exc:
            raise ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": exc.params["value"]},
            ) from exc
        return super()._check_values(value)
