"""Forms of the process owner's campaign pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tillit.core.forms import DateInput
from tillit.instruments.models import Instrument, InstrumentVersion
from tillit.org.models import Organisation, Unit
from tillit.surveys.models import Campaign


def latest_versions(organisation: Organisation) -> list[InstrumentVersion]:
    """The newest version of every instrument the organisation may use."""
    instruments = Instrument.objects.filter(
        organisation__in=[organisation]
    ) | Instrument.objects.filter(organisation__isnull=True)
    versions = []
    for instrument in instruments.order_by("slug"):
        latest = instrument.latest()
        if latest is not None:
            versions.append(latest)
    return versions


class CampaignForm(forms.ModelForm):
    """Name, instruments, target, dates, languages, thresholds and background questions."""

    instruments = forms.MultipleChoiceField(
        label=_("Instruments"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Asked in the order listed. The version is fixed when the campaign is launched."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    professions_text = forms.CharField(
        label=_("Profession groups (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty to not ask about profession."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "target_unit",
            "opens_on",
            "closes_on",
            "k",
            "k_dist",
            "k_text",
            "k_sensitive",
            "ask_age",
            "ask_tenure",
            "background_source",
            "code_margin",
        ]
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "background_source": forms.RadioSelect,
        }
        help_texts = {
            "k": _("No figure is shown for a group smaller than this (3–10)."),
            "background_source": _(
                "Age and years in the organisation can be taken from the HR data (birth year, "
                "start date) when it is known; otherwise the respondent is asked."
            ),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.versions = {str(v.pk): v for v in latest_versions(organisation)}
        if self.instance.pk:
            for version in self.instance.versions():
                self.versions.setdefault(str(version.pk), version)
            self.initial["instruments"] = [str(v.pk) for v in self.instance.versions()]
            self.initial["languages"] = self.instance.languages
            self.initial["professions_text"] = "\n".join(self.instance.professions)
        else:
            self.initial.setdefault("languages", [organisation.language])
        self.fields["code_margin"].required = False
        self.fields["instruments"].choices = [
            (pk, f"{v.instrument.title_in(organisation.language)} (v{v.number})")
            for pk, v in self.versions.items()
        ]
        self.fields["target_unit"].queryset = Unit.objects.filter(
            organisation=organisation, closed_at__isnull=True
        ).order_by("path")

    def clean_code_margin(self) -> int:
        """An empty margin is no margin (most campaigns never use a poster code)."""
        return self.cleaned_data.get("code_margin") or 0

    def clean_professions_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["professions_text"].splitlines()]
        return list(dict.fromkeys(line[:60] for line in lines if line))

    def chosen_versions(self) -> list[InstrumentVersion]:
        return [self.versions[pk] for pk in self.cleaned_data["instruments"]]

    def save(self, commit: bool = True) -> Campaign:
        campaign = super().save(commit=False)
        campaign.organisation = self.organisation
        campaign.languages = self.cleaned_data["languages"]
        campaign.professions = self.cleaned_data["professions_text"]
        return campaign


class ReopenForm(forms.Form):
    closes_on = forms.DateField(
        label=_("New closing date"), widget=DateInput()
    )
