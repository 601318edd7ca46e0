"""Uploading units and people files; following the background import to its end."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.core.csvfiles import csv_text
from tillit.org.access import org_view
from tillit.org.importing import (
    MAX_BYTES,
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL,
    UNIT_COLUMNS,
    UNIT_OPTIONAL,
)
from tillit.org.models import ImportJob
from tillit.org.tasks import run_import_job

ERRORS_SHOWN = 1000  # the rest are in the CSV download

TEMPLATES = {
    "units": [
        [*UNIT_COLUMNS, *UNIT_OPTIONAL],
        ["K1", "", "Exempels kommun", "kommundirektor@exempel.se", "kommun", "1000"],
        ["F10", "K1", "Socialförvaltningen", "anna.berg@exempel.se", "förvaltning", "1100"],
        ["A11", "F10", "Äldreomsorg", "", "avdelning", "1110"],
        ["E12", "A11", "Hemtjänst Öst", "per.ahlstrom@exempel.se", "enhet", "1111"],
    ],
    "people": [
        [*PEOPLE_COLUMNS, *PEOPLE_OPTIONAL],
        ["anna.berg@exempel.se", "F10", "Anna Berg", "admin", "sv", "1971", "2015-08-01", "K"],
        ["per.ahlstrom@exempel.se", "E12", "Per Åhlström", "", "sv", "1984", "01.02.2019", "M"],
        ["sara.oz@exempel.se", "E12", "Sara Öz", "med", "en", "1990", "2021-03-15", ""],
    ],
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=ImportJob.Kind.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.Kind.UNITS,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or Windows-1252; ; , or tab) or Excel .xlsx."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


def _csv_response(rows: list[list], filename: str) -> HttpResponse:
    response = HttpResponse("\ufeff" + csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view(admin=True)
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form (POST starts a background import); `?template=units` gives an example."""
    org = request.organisation
    if (example := request.GET.get("template")) in TEMPLATES:
        return _csv_response(TEMPLATES[example], f"{example}.csv")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            organisation=org,
            kind=form.cleaned_data["kind"],
            filename=upload.name[:255],
            content=upload.read(),
            created_by=request.user,
        )
        run_import_job.enqueue(job.pk)
        return redirect("org:import_status", org.slug, job.pk)
    context = {
        "form": form,
        "jobs": ImportJob.objects.filter(organisation=org).defer("content")[:10],
        "unit_columns": (UNIT_COLUMNS, UNIT_OPTIONAL),
        "people_columns": (PEOPLE_COLUMNS, PEOPLE_OPTIONAL),
    }
    return render(request, "org/import.html", context)


@org_view(admin=True)
def status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress (htmx polls the fragment) and then its summary or errors (`?format=csv`)."""
    job = get_object_or_404(
        ImportJob.objects.defer("content"), pk=job_id, organisation=request.organisation
    )
    if request.GET.get("format") == "csv":
        rows = [[_("Row"), _("Column"), _("Error")]]
        rows += [[e["row"], e["column"], e["message"]] for e in job.errors]
        return _csv_response(rows, f"import-{job.pk}-errors.csv")
    context = {
        "job": job,
        "summary": _summary_rows(job),
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
        # Announce only a change of status in the live region, not every poll.
        "announce": request.htmx and request.GET.get("seen") != job.status,
    }
    template = "org/import_job.html" if request.htmx else "org/import_status.html"
    return render(request, template, context)


SUMMARY_LABELS = {
    ImportJob.Kind.UNITS: {
        "created": gettext_lazy("Units created"),
        "updated": gettext_lazy("Units changed"),
        "renamed": gettext_lazy("of them renamed"),
        "moved": gettext_lazy("of them moved"),
        "reopened": gettext_lazy("Units reopened"),
        "closed": gettext_lazy("Units closed (missing from the file)"),
        "unchanged": gettext_lazy("Units unchanged"),
        "people_in_closed_units": gettext_lazy("Active people in closed units"),
    },
    ImportJob.Kind.PEOPLE: {
        "created": gettext_lazy("People added"),
        "updated": gettext_lazy("People changed"),
        "reactivated": gettext_lazy("of them back after leaving"),
        "deactivated": gettext_lazy("People deactivated (missing from the file)"),
        "unchanged": gettext_lazy("People unchanged"),
        "grants_added": gettext_lazy("Roles granted"),
        "grants_removed": gettext_lazy("Roles removed"),
    },
}


def _summary_rows(job: ImportJob) -> list[tuple[str, int]]:
    labels = SUMMARY_LABELS.get(job.kind, {})
    return [(label, job.summary[key]) for key, label in labels.items() if key in job.summary]
