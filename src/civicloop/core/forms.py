"""Forms of the core app."""

from django import forms
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
