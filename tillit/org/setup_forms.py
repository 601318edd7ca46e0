"""Forms for setting an organisation up: the operator's, the settings page's, column mapping."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tillit.org.models import DEFAULT_THRESHOLDS, K_FLOOR, Organisation

LOGO_MAX_BYTES = 1024 * 1024
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class NewOrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=Organisation.Country.choices)
    language = forms.ChoiceField(
        label=_("Default language"),
        choices=[("", _("The country's language")), *settings.LANGUAGES],
        required=False,
    )
    owner_email = forms.EmailField(label=_("First process owner's e-mail address"))
    owner_name = forms.CharField(label=_("First process owner's name"), max_length=200)


class GiveOrganisationsForm(forms.Form):
    email = forms.EmailField(label=_("Consultant's e-mail address"))
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.filter(archived_at__isnull=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The consultant becomes process owner in each organisation ticked."),
    )


class RenameForm(forms.Form):
    name = forms.CharField(
        label=_("New name"),
        max_length=200,
        help_text=_(
            "The short name in the addresses stays: links already sent, bookmarks, API clients "
            "and single sign-on use it."
        ),
    )


class SettingsForm(forms.ModelForm):
    logo_file = forms.ImageField(
        label=_("Logo for reports"),
        required=False,
        help_text=_("PNG or JPEG, at most 1 MB. It is printed at the top of PDF reports."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "country",
            "language",
            "k",
            "k_dist",
            "k_text",
            "k_sensitive",
            "hourly_cost",
            "currency",
            "benchmark",
        ]
        help_texts = {
            "language": _(
                "Used for new campaigns and programmes, for e-mails and for the pages of "
                "everyone who has not chosen a language of their own."
            ),
            "k_dist": _(
                "How each answer was distributed is shown only from this many answers: a "
                "small group answering alike would reveal each answer. At least k."
            ),
            "k_text": _("Comments are shown only from this many answers. At least k."),
            "k_sensitive": _("For questions marked sensitive (such as harassment). At least k."),
            "hourly_cost": _(
                "Turns the steering register's hours into money: salary with overheads."
            ),
            "benchmark": _("Kolada's HME figures compare only Swedish municipalities and regions."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["k"].help_text = gettext(
            "No score is shown for a group with fewer answers. At least %(floor)d; "
            "%(default)d is the common choice."
        ) % {"floor": K_FLOOR, "default": DEFAULT_THRESHOLDS["k"]}

    def clean(self):
        cleaned = super().clean()
        k = cleaned.get("k")
        if k is not None:
            for name in ("k_dist", "k_text", "k_sensitive"):
                value = cleaned.get(name)
                if value is not None and value < k:
                    self.add_error(
                        name,
                        _("This threshold is %(value)d, below k (%(k)d): it cannot be lower.")
                        % {"value": value, "k": k},
                    )
        if (
            cleaned.get("benchmark") == Organisation.Benchmark.KOLADA
            and cleaned.get("country") != Organisation.Country.SE
        ):
            self.add_error(
                "benchmark",
                _("Kolada holds Swedish municipalities and regions only: choose no benchmark."),
            )
        return cleaned

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is larger than 1 MB."))
        image = getattr(upload, "image", None)
        if image is None or image.format not in LOGO_FORMATS:
            raise forms.ValidationError(_("The logo must be a PNG or JPEG picture."))
        if image.width > 4000 or image.height > 4000:
            raise forms.ValidationError(_("The logo is larger than 4000 × 4000 pixels."))
        upload.seek(0)
        return upload.read(), LOGO_FORMATS[image.format]
