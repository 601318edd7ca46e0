"""Forms of the library: the example (short and full), comments, contacts, adoption,
follow-up, curators and the booklet."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tillit.examples.booklet import MAX_CASES
from tillit.examples.models import (
    AREAS,
    LANGUAGES,
    PRINCIPLES,
    Adoption,
    FollowUp,
    GoodExample,
)
from tillit.org.forms import UnitChoiceField
from tillit.org.models import Unit
from tillit.programmes.models import Artefact, Programme
from tillit.steering.models import Signal


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u00a0\u00a0" * obj.depth + obj.name


class ExampleForm(forms.Form):
    """The short form any manager fills in; curators and authors get the rest of the fields."""

    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(label=_("The problem it solved"), widget=forms.Textarea({"rows": 3}))
    what_changed = forms.CharField(label=_("What changed"), widget=forms.Textarea({"rows": 3}))
    units = UnitsField(
        label=_("Unit(s)"), queryset=Unit.objects.none(), widget=forms.SelectMultiple({"size": 6})
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"), choices=AREAS, widget=forms.CheckboxSelectMultiple, required=False
    )
    principles = forms.MultipleChoiceField(
        label=_("Trust principles it touches"),
        choices=PRINCIPLES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    story = forms.CharField(
        label=_("The story in the unit's own words"),
        widget=forms.Textarea({"rows": 5}),
        required=False,
    )
    LONG = (
        "effort",
        "preconditions",
        "barriers",
        "kind",
        "origin",
        "language",
        "languages",
        "signals",
        "artefacts",
    )
    effort = forms.CharField(label=_("Effort"), widget=forms.Textarea({"rows": 2}), required=False)
    preconditions = forms.CharField(
        label=_("Preconditions"), widget=forms.Textarea({"rows": 2}), required=False
    )
    barriers = forms.CharField(
        label=_("Barriers"), widget=forms.Textarea({"rows": 2}), required=False
    )
    kind = forms.ChoiceField(label=_("Type"), choices=GoodExample.Kind.choices, required=False)
    origin = forms.ModelChoiceField(
        label=_("The example it came from"), queryset=GoodExample.objects.none(), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Also available in"),
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    signals = forms.ModelMultipleChoiceField(
        label=_("Steering signals it changed (hours freed)"),
        queryset=Signal.objects.none(),
        required=False,
        widget=forms.SelectMultiple({"size": 5}),
    )
    artefacts = forms.ModelMultipleChoiceField(
        label=_("Experiments with before/after measurements"),
        queryset=Artefact.objects.none(),
        required=False,
        widget=forms.SelectMultiple({"size": 5}),
    )

    def __init__(self, *args, organisation, readable, full: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            Unit.objects.filter(organisation=organisation).open().order_by("path")
        )
        if not full:
            for name in self.LONG:
                del self.fields[name]
            return
        self.fields["origin"].queryset = readable
        self.fields["signals"].queryset = Signal.objects.filter(organisation=organisation)
        self.fields["artefacts"].queryset = Artefact.objects.filter(
            organisation=organisation, kind="action"
        ).exclude(measurements=[])

    def clean(self):
        data = super().clean()
        kind, origin = data.get("kind"), data.get("origin")
        if kind in (GoodExample.Kind.ADAPTED, GoodExample.Kind.COPY) and not origin:
            self.add_error("origin", _("Name the example it was adapted or copied from."))
        if kind == GoodExample.Kind.FIRST and origin:
            self.add_error("kind", _("An example with an origin is adapted or a copy."))
        return data

    def values(self) -> dict:
        """The cleaned values for `actions`, without units."""
        data = dict(self.cleaned_data)
        data.pop("units", None)
        for name in ("kind", "language"):
            if name in data and not data[name]:
                data.pop(name)
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment to the author"), widget=forms.Textarea({"rows": 3}))


class ContactForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    role_title = forms.CharField(label=_("Role"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_("The person has agreed to be named with the example"), required=False
    )

    def __init__(self, *args, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AdoptForm(forms.Form):
    unit = UnitChoiceField(label=_("Our unit"), queryset=Unit.objects.none())
    stage = forms.ChoiceField(label=_("Stage"), choices=Adoption.Stage.choices)
    why_abandoned = forms.CharField(
        label=_("Why it was abandoned"), widget=forms.Textarea({"rows": 2}), required=False
    )
    adapted = forms.CharField(
        label=_("What we adapted"), widget=forms.Textarea({"rows": 2}), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("Our own programme"), queryset=Programme.objects.none(), required=False
    )
    follow_up_months = forms.IntegerField(
        label=_("Ask us whether behaviour changed after (months)"),
        min_value=1,
        max_value=36,
        initial=6,
    )

    def __init__(self, *args, units, programmes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["programme"].queryset = programmes

    def clean(self):
        data = super().clean()
        if data.get("stage") == Adoption.Stage.ABANDONED and not data.get("why_abandoned"):
            self.add_error("why_abandoned", _("Say why it was abandoned."))
        return data


class FollowUpForm(forms.Form):
    behaviour_changed = forms.ChoiceField(
        label=_("Did behaviour actually change?"),
        choices=FollowUp.Changed.choices,
        widget=forms.RadioSelect,
    )
    result = forms.CharField(label=_("With what result?"), widget=forms.Textarea({"rows": 3}))


class CuratorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the new curator"))


class BookletForm(forms.Form):
    examples = forms.ModelMultipleChoiceField(
        label=_("Examples (at most ten)"),
        queryset=GoodExample.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    format = forms.ChoiceField(label=_("Format"), choices=(("pdf", "PDF"), ("docx", "Word (DOCX)")))

    def __init__(self, *args, readable, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["examples"].queryset = readable

    def clean_examples(self):
        chosen = self.cleaned_data["examples"]
        if len(chosen) > MAX_CASES:
            raise forms.ValidationError(
                _("Choose at most %(max)s examples; you chose %(n)s.")
                % {"max": MAX_CASES, "n": len(chosen)}
            )
        return chosen
