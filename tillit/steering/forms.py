"""Forms of the register, the bøvl inbox, the board and the system analysis."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.core.forms import DateInput
from tillit.org.forms import UnitChoiceField, unit_choices
from tillit.org.models import Organisation, Unit
from tillit.steering.actions import EDITED_FIELDS
from tillit.steering.models import BovlReport, Decision, Measurement, Signal, SteeringRole

DATE = DateInput()


class UnitsField(forms.ModelMultipleChoiceField):
    """Several units in tree order, indented by depth; each stands for its whole subtree."""

    def label_from_instance(self, obj: Unit) -> str:
        return "\u00a0\u00a0" * obj.depth + obj.name


class SignalForm(forms.ModelForm):
    """A signal's fields, the subtrees it hits, and the version the edit started from."""

    units = UnitsField(
        label=_("Units it hits"),
        queryset=Unit.objects.none(),
        help_text=_("Each unit stands for itself and every unit below it."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Signal
        fields = list(EDITED_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "last_used": DATE,
            "start_date": DATE,
            "review_date": DATE,
        }
        help_texts = {
            "frequency": _("For example 220 for every working day, 46 weekly, 12 monthly."),
            "performers": _("People per unit, or per cent of the unit's staff."),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = unit_choices(organisation)
        serves = Signal.objects.filter(organisation=organisation, kind=Signal.Kind.GOAL)
        if self.instance.pk:
            serves = serves.exclude(pk=self.instance.pk)
            self.fields["units"].initial = [h.unit_id for h in self.instance.hits.all()]
            self.fields["version"].initial = self.instance.version
        self.fields["serves"].queryset = serves
        self.fields["status"].choices = [
            c for c in Signal.Status.choices if c[0] != Signal.Status.PROPOSED
        ]

    def values(self) -> dict:
        """The signal's values (without units and version)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in {"units", "version"}}


class ProposalForm(forms.ModelForm):
    """The system analysis the seeds ask for before a new signal is introduced."""

    units = UnitsField(
        label=_("Units it will hit"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Signal
        fields = [
            "title",
            "kind",
            "issuer_level",
            "purpose",
            "decision_fed",
            "output_users",
            "frequency",
            "minutes",
            "performers_kind",
            "performers",
            "existing_answer",
            "review_date",
        ]
        labels = {
            "purpose": _("What is its purpose?"),
            "decision_fed": _("Which decision will it feed?"),
            "output_users": _("Who will use the output?"),
            "existing_answer": _("Does an existing signal already give the answer? Which?"),
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "existing_answer": forms.Textarea(attrs={"rows": 2}),
            "review_date": DATE,
        }
        help_texts = {
            "frequency": _("For example 220 for every working day, 46 weekly, 12 monthly."),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = unit_choices(organisation)
        for name in ("purpose", "decision_fed", "output_users", "review_date"):
            self.fields[name].required = True


class EstimateForm(forms.Form):
    """The fields the live estimate reads (a partial, possibly unfinished proposal)."""

    frequency = forms.DecimalField(min_value=0, max_value=10000)
    minutes = forms.DecimalField(min_value=0, max_value=100000)
    performers_kind = forms.ChoiceField(choices=Signal.Performers.choices)
    performers = forms.DecimalField(min_value=0, max_value=10000)
    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.none())

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = unit_choices(organisation)


class BovlForm(forms.ModelForm):
    """Two minutes from a phone: what, where, how much time, what it hinders, an idea."""

    unit = UnitChoiceField(
        label=_("Where does it happen?"), queryset=Unit.objects.none(), required=False
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously (then you cannot get a personal answer, only the public log)"),
        required=False,
    )

    class Meta:
        model = BovlReport
        fields = ["what", "unit", "minutes_per_week", "hinders", "idea"]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "hinders": forms.Textarea(attrs={"rows": 2}),
            "idea": forms.Textarea(attrs={"rows": 2}),
            "minutes_per_week": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(organisation)
        self.fields["unit"].empty_label = "–"
        self.fields["anonymous"].help_text = _(
            "An anonymous report is filed under a unit of at least %(k)s people, so that it "
            "cannot point to you."
        ) % {"k": organisation.k_text}


class TriageForm(forms.Form):
    """The secretariat's triage of one report."""

    remit = forms.ChoiceField(label=_("Remit"), choices=BovlReport.Remit.choices)
    signal = forms.ModelChoiceField(
        label=_("Link to a signal in the register"), queryset=Signal.objects.none(), required=False
    )
    new_signal_title = forms.CharField(
        label=_("… or create a signal with this title"), max_length=200, required=False
    )
    new_signal_kind = forms.ChoiceField(
        label=_("Type of the new signal"), choices=Signal.Kind.choices, required=False
    )
    duplicate_of = forms.ModelChoiceField(
        label=_("… or merge into an earlier report"),
        queryset=BovlReport.objects.none(),
        required=False,
    )
    answer = forms.CharField(
        label=_("Answer to the reporter"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, report: BovlReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signal"].queryset = Signal.objects.filter(
            organisation_id=report.organisation_id
        ).exclude(status__in=[Signal.Status.REMOVED, Signal.Status.REJECTED])
        self.fields["duplicate_of"].queryset = BovlReport.objects.filter(
            organisation_id=report.organisation_id
        ).exclude(pk=report.pk)
        self.fields["duplicate_of"].label_from_instance = lambda r: r.what[:80]

    def clean(self) -> dict:
        data = super().clean()
        chosen = [
            bool(data.get("signal")),
            bool(data.get("new_signal_title")),
            bool(data.get("duplicate_of")),
        ]
        if sum(chosen) > 1:
            raise forms.ValidationError(
                _("Choose one: link to a signal, create one, or merge into a report.")
            )
        if data.get("remit") != BovlReport.Remit.MUST_STAY and not any(chosen):
            raise forms.ValidationError(
                _("Link the report to a signal (or create one) so the board can decide on it.")
            )
        return data


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["outcome", "reason", "escalate_to"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, proposal: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = {Decision.Outcome.APPROVE, Decision.Outcome.REJECT}
        self.fields["outcome"].choices = [
            c for c in Decision.Outcome.choices if (c[0] in allowed) == proposal
        ]
        if proposal:
            del self.fields["escalate_to"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("outcome") == Decision.Outcome.ESCALATE and not data.get("escalate_to"):
            self.add_error("escalate_to", _("Say which national body it goes to."))
        return data


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["label", "minutes_before", "minutes_after", "people", "days_per_year"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=SteeringRole.Role.choices)


class CostForm(forms.Form):
    hourly_cost = forms.DecimalField(
        label=_("Hourly cost incl. overheads"), min_value=0, max_digits=8, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), max_length=8)
