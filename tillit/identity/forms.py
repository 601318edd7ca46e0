from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.identity.models import ApiToken, SingleSignOn
from tillit.org.models import Unit


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # an IdP address without a scheme is https
    return field.formfield(**kwargs)


class SingleSignOnForm(forms.ModelForm):
    metadata_file = forms.FileField(
        label=_("or upload the metadata file"), required=False, max_length=255
    )

    class Meta:
        model = SingleSignOn
        formfield_callback = _https_urls
        fields = [
            "protocol",
            "enabled",
            "password_login",
            "issuer",
            "client_id",
            "client_secret",
            "metadata_url",
            "metadata_xml",
            "email_attribute",
            "name_attribute",
            "unit_attribute",
        ]
        widgets = {
            "client_secret": forms.PasswordInput(render_value=True),
            "metadata_xml": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = list(self.fields)
        order.remove("metadata_file")
        order.insert(order.index("metadata_xml") + 1, "metadata_file")
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        upload = data.get("metadata_file")
        if upload:
            if upload.size > 1024 * 1024:
                raise ValidationError({"metadata_file": _("The metadata file is over 1 MB.")})
            try:
                data["metadata_xml"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(
                    {"metadata_file": _("The metadata file is not UTF-8 XML.")}
                ) from None
            self.instance.metadata_xml = data["metadata_xml"]
        if data.get("protocol") == SingleSignOn.Protocol.OIDC:
            for field in ("issuer", "client_id", "client_secret"):
                if not data.get(field):
                    self.add_error(field, _("OpenID Connect needs this."))
        elif (
            data.get("protocol") == SingleSignOn.Protocol.SAML
            and not data.get("metadata_url")
            and not (data.get("metadata_xml") or "").strip()
        ):
            self.add_error(
                "metadata_url", _("SAML needs the identity provider's metadata address or file.")
            )
        if data.get("enabled") is False and data.get("password_login") is False:
            self.add_error(
                "password_login",
                _("With single sign-on off, password login must stay on, or nobody can log in."),
            )
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Which system uses it."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    unit = forms.ModelChoiceField(
        label=_("Limited to unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Empty: the whole organisation, as its process owner sees it."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            organisation=organisation, closed_at__isnull=True
        ).order_by("path")
