"""Forms of the programmes app; artefact forms are built from the kind's schema."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tillit.core.forms import DateInput
from tillit.programmes.catalogue import ACTION_STATUSES, ARTEFACT_KINDS
from tillit.programmes.models import Artefact, Participant, ProgrammeStep, text_for


class StartProgrammeForm(forms.Form):
    template = forms.ChoiceField(label=_("Method"))
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language of the programme"), choices=settings.LANGUAGES)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One unit, or several for a programme across units."),
    )

    def __init__(self, *args, templates, units, language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {t.slug: t for t in templates}
        self.fields["template"].choices = [(t.slug, text_for(t.title, language)) for t in templates]
        self.fields["units"].queryset = units


class ParticipantForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)


class SessionForm(forms.Form):
    date = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Left empty, the agenda is filled in from the step."),
    )


class StepStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status of the step"), choices=ProgrammeStep.Status.choices)


class ChecklistForm(forms.Form):
    ticked = forms.TypedMultipleChoiceField(
        label=_("Checklist"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticked"].choices = list(enumerate(items))


class MeasurementForm(forms.Form):
    label = forms.CharField(label=_("What was measured"), max_length=200)
    before = forms.CharField(label=_("Before"), max_length=60)
    after = forms.CharField(label=_("After"), max_length=60, required=False)
    unit = forms.CharField(label=_("Unit of measure"), max_length=60, required=False)


class LogEntryForm(forms.Form):
    text = forms.CharField(label=_("Logbook entry"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ACTION_STATUSES)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonField(forms.CharField):
    """One of the organisation's active people, picked by name as you type (a datalist filled
    by htmx from `programmes:people`); the value is their e-mail address."""

    def __init__(self, *, people, search_url: str, **kwargs) -> None:
        self.people = people
        widget = forms.TextInput(
            attrs={
                "list": "people-options",
                "autocomplete": "off",
                "hx-get": search_url,
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#people-options",
                "hx-swap": "innerHTML",
            }
        )
        kwargs.setdefault(
            "help_text", _("Type part of a name, then pick the person from the list.")
        )
        super().__init__(widget=widget, max_length=254, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        # "Name <e-mail>" as a datalist may leave it, or the bare e-mail address.
        email = value.rsplit("<", 1)[-1].rstrip(">").strip().lower()
        if not self.people.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("“%(value)s” is not among the organisation's people: pick a name."),
                params={"value": value},
            )
        return email


def artefact_form(
    kind: str, referable, *args, people=None, search_url: str = "", **kwargs
) -> forms.Form:
    """A form for one artefact kind, with a hidden `version` for the stale-edit check.

    `referable` is the artefacts a reference field may point to: only those of programmes the
    user may open, so a dropdown never shows titles from programmes hidden from them.
    """
    fields: dict[str, forms.Field] = {}
    for spec in ARTEFACT_KINDS[kind].fields:
        common = {"label": spec.label, "required": spec.required}
        if spec.type == "textarea":
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        elif spec.type == "choice":
            choices = list(spec.choices)
            if not spec.required:
                choices = [("", "–"), *choices]
            field = forms.ChoiceField(choices=choices, **common)
        elif spec.type == "date":
            field = forms.DateField(widget=DateInput(), **common)
        elif spec.type == "email":
            field = forms.EmailField(**common)
        elif spec.type == "person":
            field = PersonField(people=people, search_url=search_url, **common)
        elif spec.type == "ref":
            field = forms.ModelChoiceField(
                queryset=referable.filter(kind=spec.ref),
                empty_label="–",
                **common,
            )
        else:
            field = forms.CharField(max_length=300, **common)
        fields[spec.name] = field
    fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_class = type(f"{kind.title()}Form", (forms.Form,), fields)
    return form_class(*args, **kwargs)


def cleaned_values(form: forms.Form) -> dict:
    """The schema values of a valid artefact form (references as primary keys)."""
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    for key, value in values.items():
        if isinstance(value, Artefact):
            values[key] = value.pk
    return values


def initial_values(artefact: Artefact) -> dict:
    """An artefact's values as a form's initial data."""
    return {**artefact.values(), "version": artefact.version}
