"""Forms of the process owner's campaign pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tillit.core.forms import DateInput
from tillit.instruments.models import Instrument, InstrumentVersion
from tillit.org.forms import UnitChoiceField, unit_choices
from tillit.org.models import Organisation
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
    reminder_days = forms.CharField(
        label=_("Reminders on days"),
        required=False,
        max_length=60,
        help_text=_(
            "Days after the opening date, separated by commas (for example 7, 12). On each of "
            "these days everyone who has not answered gets a reminder with a fresh link. Leave "
            "empty for no scheduled reminders."
        ),
    )
    professions_text = forms.CharField(
        label=_("Profession groups (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty to not ask about profession."),
    )

    field_order = [
        "name",
        "instruments",
        "target_unit",
        "languages",
        "opens_on",
        "closes_on",
        "reminder_days",
        "close_on_schedule",
    ]

    class Meta:
        model = Campaign
        fields = [
            "name",
            "target_unit",
            "opens_on",
            "closes_on",
            "reminder_days",
            "close_on_schedule",
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
            "k": _(
                "No figure is shown for a group that answered fewer than this (3–10): its "
                "answers count in the unit above it instead."
            ),
            "k_dist": _(
                "How answers spread over the scale is shown only for groups at least this "
                "large; smaller groups show their index only."
            ),
            "k_text": _(
                "Comments are shown only for groups at least this large; a smaller group's "
                "comments are not shown to anyone."
            ),
            "k_sensitive": _(
                "Questions marked sensitive are shown only for groups at least this large; "
                "a higher value protects more but hides more units."
            ),
            "ask_age": _(
                "Results can then be read by age band, where the groups are large enough."
            ),
            "ask_tenure": _(
                "Results can then be read by years in the organisation, where the groups are "
                "large enough."
            ),
            "close_on_schedule": _(
                "The campaign closes by itself after the closing date; results are published "
                "then. Untick to close it yourself."
            ),
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
        days = self.initial.get("reminder_days") or []
        if isinstance(days, list):  # the model's list, shown as "7, 12"
            self.initial["reminder_days"] = ", ".join(str(d) for d in sorted(days))
        self.fields["code_margin"].required = False
        self.fields["instruments"].choices = [
            (pk, v.name(version=True)) for pk, v in self.versions.items()
        ]
        self.fields["target_unit"] = UnitChoiceField(
            label=_("Who is asked"),
            queryset=unit_choices(organisation),
            help_text=_("Everyone in this unit and the units below it is invited."),
        )

    def clean_code_margin(self) -> int:
        """An empty margin is no margin (most campaigns never use a poster code)."""
        return self.cleaned_data.get("code_margin") or 0

    def clean_reminder_days(self) -> list[int]:
        """ "7, 12" as [7, 12]; a word or a day out of range is named in the error."""
        days = []
        for part in self.cleaned_data["reminder_days"].replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 365:
                raise forms.ValidationError(
                    _("“%(value)s” is not a day from 1 to 365.") % {"value": part}
                )
            days.append(int(part))
        return sorted(set(days))

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
    closes_on = forms.DateField(label=_("New closing date"), widget=DateInput())


class TestLinkForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the test link"))

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [(c, names.get(c, c)) for c in campaign.languages]
