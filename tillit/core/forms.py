from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tillit.core import auth, languages


class DateInput(forms.DateInput):
    """The one date widget: the browser's date picker, which reads and sends ISO dates only.

    `<input type=date>` ignores a value in the page language's format (dd.mm.yyyy), shows an
    empty field and sends it back empty, so a saved date was lost on the next save. The field
    still accepts the language's own format too (Django adds ISO to every language's formats).
    """

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EmailAuthenticationForm(AuthenticationForm):
    """Login by e-mail, refused for a while after too many failures."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("The e-mail address or the password is wrong."),
        "inactive": _("This account is not active."),
        "throttled": _("Too many failed attempts. Try again in %(minutes)s minutes."),
    }

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        if not auth.begin_attempt(self.request, email):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": auth.minutes_locked(self.request, email)},
            )
        cleaned = super().clean()  # a wrong password stays counted
        auth.attempt_succeeded(self.request, email)
        return cleaned


class ThrottledPasswordResetForm(PasswordResetForm):
    """Password reset that mails one account at most a few times an hour.

    Otherwise anyone could fill a colleague's inbox. The page says the same either way, so
    it tells nobody whether an address has an account.
    """

    def save(self, *args, **kwargs) -> None:
        if auth.may_send_password_reset(self.cleaned_data["email"]):
            super().save(*args, **kwargs)

    def send_mail(self, *args, **kwargs) -> None:
        """In the account's language, else its organisation's (not the browser's)."""
        to_email = kwargs.get("to_email") or args[4]
        with translation.override(languages.language_for_email(to_email)):
            super().send_mail(*args, **kwargs)
