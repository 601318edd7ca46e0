from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tillit.core import auth


class EmailAuthenticationForm(AuthenticationForm):
    """Login by e-mail, refused for a while after too many failures."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("The e-mail address or the password is wrong."),
        "inactive": _("This account is not active."),
        "throttled": _("Too many failed attempts. Wait 15 minutes and try again."),
    }

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        if auth.is_throttled(self.request, email):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            auth.record_failure(self.request, email)
            raise
        auth.clear_failures(self.request, email)
        return cleaned
