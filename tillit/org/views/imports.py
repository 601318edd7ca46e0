"""Uploading units and people files; following the background import to its end."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tillit.core.csvfiles import csv_text
from tillit.org.access import org_view
from tillit.org.import_jobs import FIELDS, saved_mapping, state_fingerprint
from tillit.org.importing import UNIT_COLUMNS, UNIT_OPTIONAL
from tillit.org.models import ColumnMapping, ImportJob
from tillit.org.people_import import PEOPLE_COLUMNS, PEOPLE_OPTIONAL
from tillit.org.tables import MAX_BYTES
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
        "preview": _preview(job),
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


FIELD_LABELS = {
    "unit_id": gettext_lazy("Unit id (unique, as the HR system knows it)"),
    "parent_id": gettext_lazy("Id of the unit above (empty for the top unit)"),
    "name": gettext_lazy("Name"),
    "manager_email": gettext_lazy("Manager's e-mail address"),
    "type": gettext_lazy("Type of unit"),
    "cost_centre": gettext_lazy("Cost centre"),
    "email": gettext_lazy("E-mail address"),
    "role": gettext_lazy("Role"),
    "language": gettext_lazy("Language"),
    "birth_year": gettext_lazy("Birth year"),
    "start_date": gettext_lazy("Start date"),
    "gender": gettext_lazy("Gender"),
}
PERSON_UNIT_LABEL = gettext_lazy("Id of the person's unit")


# Headers HR systems commonly use, offered as the first guess (the process owner confirms).
SYNONYMS = {
    "unit_id": ("enhets-id", "enhetsid", "enheds-id", "enhedsid", "enhet_id", "enheds_id"),
    "parent_id": ("överordnad_enhet", "overordnet_enhed", "overordnet_enhet", "överordnad"),
    "name": ("enhetsnamn", "enhedsnavn", "enhetsnavn", "namn", "navn"),
    "manager_email": ("chef", "leder", "chefens_e-post", "lederens_e-mail", "lederens_e-post"),
    "email": ("e-post", "epost", "e-mail", "mail", "e-postadresse", "e-mailadresse"),
    "role": ("roll", "rolle"),
    "language": ("språk", "sprog"),
    "birth_year": ("födelseår", "fødselsår"),
    "start_date": ("anställningsdatum", "ansættelsesdato", "ansettelsesdato"),
    "gender": ("kön", "køn", "kjønn"),
}
PEOPLE_SYNONYMS = {
    "unit_id": ("enhet", "enhed", "enhets-id", "enheds-id"),
    "name": ("namn", "navn"),
}


def _synonym(kind: str, name: str, columns: list[str]) -> str:
    """The first of the file's columns that is a common header for Tillit's column."""
    table = {**SYNONYMS, **PEOPLE_SYNONYMS} if kind == ImportJob.Kind.PEOPLE else SYNONYMS
    return next((c for c in table.get(name, ()) if c in columns), "")


class MappingForm(forms.Form):
    """For each of Tillit's columns, which column of the file holds it."""

    def __init__(self, *args, kind: str, columns: list[str], initial_mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        required, optional = FIELDS[kind]
        choices = [("", _("– not in the file –")), *((c, c) for c in columns)]
        for name in (*required, *optional):
            guess = initial_mapping.get(name)
            if guess not in columns:
                guess = name if name in columns else _synonym(kind, name, columns)
            label = (
                PERSON_UNIT_LABEL if (kind, name) == ("people", "unit_id") else FIELD_LABELS[name]
            )
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=name in required,
                initial=guess,
            )

    def clean(self):
        cleaned = super().clean()
        used: dict[str, str] = {}
        for name, source in list(cleaned.items()):
            if not source:
                continue
            if source in used:
                self.add_error(
                    name,
                    _("The column %(column)s is already chosen for %(other)s.")
                    % {"column": source, "other": self.fields[used[source]].label},
                )
            used[source] = name
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {name: source for name, source in self.cleaned_data.items() if source}


@org_view(admin=True)
def columns(request: HttpRequest, job_id: int) -> HttpResponse:
    """Match the file's columns to Tillit's; remembered for the organisation's next file."""
    org = request.organisation
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=job_id, organisation=org)
    if job.status != ImportJob.Status.MAPPING:
        return redirect("org:import_status", org.slug, job.pk)
    file_columns = job.preview.get("columns", [])
    initial = job.mapping or saved_mapping(org, job.kind)
    form = MappingForm(
        request.POST or None, kind=job.kind, columns=file_columns, initial_mapping=initial
    )
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        with transaction.atomic():
            ColumnMapping.objects.update_or_create(
                organisation=org,
                kind=job.kind,
                defaults={"columns": mapping, "updated_at": timezone.now()},
            )
            updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
                mapping=mapping, status=ImportJob.Status.QUEUED, errors=[], preview={}
            )
        if updated:
            run_import_job.enqueue(job.pk)
        return redirect("org:import_status", org.slug, job.pk)
    return render(request, "org/import_columns.html", {"job": job, "form": form})


@org_view(admin=True)
@require_POST
def apply(request: HttpRequest, job_id: int) -> HttpResponse:
    """Apply a previewed import – only while the units and people are as previewed."""
    org = request.organisation
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=job_id, organisation=org)
    if job.status != ImportJob.Status.PREVIEW:
        return redirect("org:import_status", org.slug, job.pk)
    if request.POST.get("state") != job.fingerprint or state_fingerprint(org) != job.fingerprint:
        # The preview no longer says what would happen: make a new one from the same file.
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
            status=ImportJob.Status.QUEUED, preview={}, fingerprint=""
        )
        run_import_job.enqueue(job.pk)
        messages.error(
            request,
            _(
                "The units or people changed after this preview was made. Nothing was "
                "imported; a new preview is being made – check it before you apply."
            ),
        )
        return redirect("org:import_status", org.slug, job.pk)
    confirmed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        confirmed=True, status=ImportJob.Status.QUEUED, processed=0
    )
    if confirmed:
        run_import_job.enqueue(job.pk)
    return redirect("org:import_status", org.slug, job.pk)


PREVIEW_LABELS = {
    ImportJob.Kind.UNITS: {
        "created": gettext_lazy("Units created"),
        "renamed": gettext_lazy("Units renamed"),
        "moved": gettext_lazy("Units moved"),
        "reopened": gettext_lazy("Units reopened"),
        "closed": gettext_lazy("Units closed (missing from the file)"),
    },
    ImportJob.Kind.PEOPLE: {
        "created": gettext_lazy("People added"),
        "reactivated": gettext_lazy("People back after leaving"),
        "deactivated": gettext_lazy("People deactivated (missing from the file)"),
        "grants_added": gettext_lazy("Roles granted"),
        "grants_removed": gettext_lazy("Roles removed"),
    },
}
ROLE_NAMES = {
    "admin": gettext_lazy("process owner"),
    "med": gettext_lazy("union / cooperation representative"),
}


def _preview_item(job: ImportJob, kind: str, item: list) -> str:
    """One line of a preview list, in words."""
    if job.kind == ImportJob.Kind.UNITS:
        if kind == "created":
            return (
                _("%(name)s (under %(parent)s)") % {"name": item[0], "parent": item[1]}
                if item[1]
                else item[0]
            )
        if kind == "renamed":
            return _("%(old)s → %(new)s") % {"old": item[0], "new": item[1]}
        if kind == "moved":
            return _("%(name)s: from %(old)s to %(new)s") % {
                "name": item[0],
                "old": item[1] or "–",
                "new": item[2] or "–",
            }
        return item[0]
    if kind.startswith("grants"):
        role = str(ROLE_NAMES.get(item[1], item[1]))
        return f"{item[0]}: {role}" + (f" ({item[2]})" if item[2] else "")
    return f"{item[0]} <{item[1]}>"


def _preview(job: ImportJob) -> list[dict]:
    """The preview (or a finished import's summary) as sections: label, count, names."""
    source = job.preview if job.status == ImportJob.Status.PREVIEW else job.summary
    details = source.get("details") if isinstance(source, dict) else None
    if not details:
        return []
    counts = dict(source)
    counts.setdefault("grants_added", len(details.get("grants_added", [])))
    counts.setdefault("grants_removed", len(details.get("grants_removed", [])))
    sections = []
    for kind, label in PREVIEW_LABELS.get(job.kind, {}).items():
        items = details.get(kind, [])
        count = counts.get(kind, len(items))
        sections.append(
            {
                "kind": kind,
                "label": label,
                "count": count,
                "items": [_preview_item(job, kind, item) for item in items],
                "more": max(0, count - len(items)),
            }
        )
    return sections
