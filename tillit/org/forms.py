"""Forms for correcting the unit tree, people and roles in the UI."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tillit.core.models import normalise_email
from tillit.org.actions import UnitFields
from tillit.org.models import Organisation, Person, RoleGrant, Unit

SELECTED = SafeString(" selected")


class UnitSelect(forms.Select):
    """A <select> for long unit lists, drawn in Python.

    Django draws each <option> through a template, ~0.15 ms apiece: a select of 2,500 units
    took 0.4 s. The markup is the same.
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], SELECTED if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class UnitChoiceField(forms.ModelChoiceField):
    """A select of units, indented by depth so the tree shows through."""

    widget = UnitSelect

    def label_from_instance(self, obj: Unit) -> str:
        label = "\u00a0\u00a0" * obj.depth + obj.name
        if obj.is_closed:
            label += " " + str(_("(closed)"))
        return label


def unit_choices(organisation: Organisation, *, keep: int | None = None):
    """The organisation's open units in tree order, plus `keep` (a current value) if closed."""
    query = Q(closed_at__isnull=True)
    if keep is not None:
        query |= Q(pk=keep)
    return Unit.objects.filter(organisation=organisation).filter(query).order_by("path")


class UnitForm(forms.Form):
    """The editable facts of a unit. Moves are checked again by `actions.check_parent`."""

    name = forms.CharField(label=_("Name"), max_length=200)
    parent = UnitChoiceField(label=_("Parent unit"), queryset=Unit.objects.none())
    unit_type = forms.CharField(
        label=_("Type"),
        max_length=60,
        required=False,
        help_text=_("For example förvaltning, avdelning, enhet or arbetsgrupp."),
    )
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=60, required=False)
    manager_email = forms.EmailField(
        label=_("Manager's e-mail address"),
        required=False,
        help_text=_("The manager sees this unit and every unit below it."),
    )

    def __init__(self, *args, organisation: Organisation, unit: Unit | None = None, **kwargs):
        if unit is not None and unit.pk:
            kwargs.setdefault(
                "initial",
                {
                    "name": unit.name,
                    "parent": unit.parent_id,
                    "unit_type": unit.unit_type,
                    "cost_centre": unit.cost_centre,
                    "manager_email": unit.manager_email,
                },
            )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.unit = unit
        parents = unit_choices(organisation, keep=unit.parent_id if unit else None)
        if unit is not None and unit.pk:
            # A unit cannot move below itself: its own subtree is not offered.
            parents = parents.exclude(path__startswith=unit.path)
            self.fields["parent"].required = unit.parent_id is not None
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(none: a top unit)")
        self.fields["parent"].error_messages["invalid_choice"] = _(
            "Choose a unit from the list: a unit cannot be moved below itself or into a "
            "closed unit."
        )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_manager_email(self) -> str:
        return normalise_email(self.cleaned_data["manager_email"])

    def unit_fields(self) -> UnitFields:
        """The cleaned values, as `actions` takes them."""
        data = self.cleaned_data
        return UnitFields(
            name=data["name"],
            parent=data["parent"],
            unit_type=data["unit_type"].strip(),
            cost_centre=data["cost_centre"].strip(),
            manager_email=data["manager_email"],
        )


class NewUnitForm(UnitForm):
    """A new unit: its facts plus the id the HR system knows it by."""

    external_id = forms.CharField(
        label=_("Unit id"),
        max_length=64,
        help_text=_("The id the HR system uses; re-imports match units by it."),
    )
    field_order = ["external_id", "name", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].required = True

    def clean_external_id(self) -> str:
        external_id = self.cleaned_data["external_id"].strip()
        taken = Unit.objects.filter(organisation=self.organisation, external_id=external_id)
        if taken.exists():
            raise forms.ValidationError(
                _("The unit id %(id)s is already used by %(name)s."),
                params={"id": external_id, "name": taken.first().name},
                code="duplicate",
            )
        return external_id


class PersonForm(forms.ModelForm):
    """What an admin may correct about a person between two HR imports."""

    class Meta:
        model = Person
        fields = ["name", "unit", "language", "active"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.instance
        self.fields["unit"].queryset = unit_choices(person.organisation, keep=person.unit_id)
        blank = ("", _("The organisation's language"))
        self.fields["language"].choices = [blank, *settings.LANGUAGES]

    def save(self, commit: bool = True) -> Person:
        person = super().save(commit=False)
        # Keep the day a person left; clear it when they come back.
        if "active" in self.changed_data:
            person.left_at = None if person.active else timezone.now()
        if commit:
            person.save()
        return person


class PeopleFilterForm(forms.Form):
    """Search and filter of the people list (GET)."""

    q = forms.CharField(label=_("Search name or e-mail"), required=False, max_length=200)
    unit = UnitChoiceField(
        label=_("Unit (with the units below it)"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation).order_by(
            "path"
        )
        self.fields["unit"].empty_label = _("All units")


class GrantForm(forms.Form):
    """Grant the admin or MED role to an e-mail address."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=RoleGrant.Role.choices)
    unit = UnitChoiceField(
        label=_("Unit (for MED representatives)"),
        queryset=Unit.objects.none(),
        required=False,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["unit"].queryset = unit_choices(organisation)
        self.fields["unit"].empty_label = _("(no unit)")

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self) -> dict:
        data = super().clean()
        role, unit = data.get("role"), data.get("unit")
        if role == RoleGrant.Role.MED and unit is None:
            self.add_error("unit", _("Choose the unit the MED representative is attached to."))
        if role == RoleGrant.Role.ADMIN:
            data["unit"] = None
        return data
