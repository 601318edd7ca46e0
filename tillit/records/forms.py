from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.audit.models import AuditEntry
from tillit.core.forms import DateInput
from tillit.records.models import RecordsRequest, RetentionPolicy
from tillit.surveys.models import Campaign


class AuditSearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("event"), required=False, choices=[("", "–"), *AuditEntry.Kind.choices]
    )
    who = forms.CharField(label=_("who (e-mail)"), required=False, max_length=254)
    text = forms.CharField(
        label=_("campaign, unit or other detail"), required=False, max_length=200
    )
    since = forms.DateField(label=_("from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("to"), required=False, widget=DateInput())


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = [
            "raw_answers_days",
            "comments_days",
            "drafts_days",
            "invitations_days",
            "import_files_days",
            "audit_days",
            "decision_reference",
        ]


class RecordsRequestForm(forms.ModelForm):
    class Meta:
        model = RecordsRequest
        fields = ["campaign", "kind", "reference", "received_on", "decision", "reasons"]
        widgets = {"received_on": DateInput()}

    def __init__(self, *args, organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only closed campaigns have a final publication to disclose.
        self.fields["campaign"].queryset = Campaign.objects.filter(
            organisation=organisation, status=Campaign.Status.CLOSED
        )


class DeleteOrganisationForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type the organisation's name to confirm"), max_length=200, strip=True
    )
    reference = forms.CharField(
        label=_("Reference of the decision that allows deleting (optional)"),
        max_length=100,
        required=False,
        help_text=_("E.g. the retention decision or the archive's approval, for the log."),
    )
