"""The one form a participant fills before taking part."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.workshop.models import CODE_LENGTH


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=CODE_LENGTH + 4,
        help_text=_("Six letters and digits, shown on the facilitator's screen."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=80,
        required=False,
        help_text=_("Shown only with what you write in named tools; other tools are anonymous."),
    )
