"""An import as a whole: the column mapping saved per organisation, the preview (the import
computed and rolled back) and its staleness check, `run_import` for the task and the commands,
`import_table` for the API, and `process_job` for an uploaded file."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tillit import audit
from tillit.audit.log import Kind
from tillit.org.importing import UNIT_COLUMNS, UNIT_OPTIONAL, Progress, apply_units, check_units
from tillit.org.models import ColumnMapping, ImportJob, Organisation, Person, RoleGrant, Unit
from tillit.org.people_import import PEOPLE_COLUMNS, PEOPLE_OPTIONAL, apply_people, check_people
from tillit.org.tables import (
    MAX_ERRORS,
    FileErrors,
    RowError,
    Table,
    check_header,
    read_table,
)

# ---------------------------------------------------------------- the whole import


@dataclass
class ImportResult:
    """What an import did (summary) or why it did nothing (errors)."""

    errors: list[RowError]
    summary: dict
    rows: int = 0
    # The file's columns when Tillit's required ones are missing: the columns are to be mapped.
    unmapped: list[str] | None = None
    # The organisation's state the summary was computed against (state_fingerprint).
    state: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _bounded(errors: list[RowError]) -> list[RowError]:
    """At most MAX_ERRORS errors and a line saying how many more: a wrong file of 250,000
    rows would otherwise store and show hundreds of thousands of messages."""
    if len(errors) <= MAX_ERRORS:
        return errors
    more = len(errors) - MAX_ERRORS
    return [
        *errors[:MAX_ERRORS],
        RowError(
            errors[MAX_ERRORS].row,
            "",
            ngettext(
                "… and %(n)s more error, not listed. Correct the ones above and import again.",
                "… and %(n)s more errors, not listed. Correct the ones above and import again.",
                more,
            )
            % {"n": more},
        ),
    ]


# ---------------------------------------------------------------- column mapping

FIELDS = {
    ImportJob.Kind.UNITS: (UNIT_COLUMNS, UNIT_OPTIONAL),
    ImportJob.Kind.PEOPLE: (PEOPLE_COLUMNS, PEOPLE_OPTIONAL),
}


def apply_mapping(table: Table, mapping: dict[str, str]) -> Table:
    """Rename the file's columns to Tillit's, as mapped (Tillit's column -> the file's).

    A column already named like a mapped Tillit column is ignored: the mapping says which
    column holds that field.
    """
    to_field = {source: field for field, source in mapping.items() if source in table.columns}
    taken = set(to_field.values())
    columns = [to_field.get(c, "" if c in taken else c) for c in table.columns]
    return Table(columns, table.rows)


def missing_columns(table: Table, kind: str) -> list[str]:
    """Tillit's required columns the (mapped) table lacks."""
    return [name for name in FIELDS[kind][0] if name not in table.columns]


def _name_file_columns(errors: list[RowError], mapping: dict[str, str]) -> list[RowError]:
    """Errors name the file's own column ("Enheds-ID"), not only Tillit's."""
    if not mapping:
        return errors
    return [
        RowError(e.row, f"{mapping[e.column]} ({e.column})", e.message)
        if e.column in mapping
        else e
        for e in errors
    ]


# ---------------------------------------------------------------- preview and staleness


def state_fingerprint(organisation: Organisation) -> str:
    """A hash of everything an import reads and changes: units, people, grants and the last
    import's grants. A preview is applied only while the organisation still has it."""
    digest = hashlib.sha256()
    if organisation.pk is None:
        return digest.hexdigest()
    queries = [
        Unit.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list(
            "pk",
            "external_id",
            "name",
            "parent_id",
            "closed_at",
            "manager_email",
            "unit_type",
            "cost_centre",
        ),
        Person.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "name",
            "unit_id",
            "language",
            "birth_year",
            "start_date",
            "gender",
            "active",
        ),
        RoleGrant.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", "email", "role", "unit_id"),
    ]
    for query in queries:
        for row in query.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
        digest.update(b"|")
    last = (
        ImportJob.objects.filter(organisation=organisation, status=ImportJob.Status.DONE)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    digest.update(repr(last).encode())
    return digest.hexdigest()


def _stale() -> RowError:
    return RowError(
        0,
        "",
        _(
            "The units or people changed after the preview was made, so it no longer says "
            "what the import would do. Nothing was imported: upload the file again for a "
            "new preview."
        ),
    )


# ---------------------------------------------------------------- the whole import


def run_import(
    organisation: Organisation,
    kind: str,
    content: bytes,
    filename: str = "",
    *,
    by=None,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    expected_state: str | None = None,
) -> ImportResult:
    """Read, check and – only if the whole file is right – apply it in one transaction.

    `dry_run` applies and rolls back, so a preview is computed by the very code that
    applies. `expected_state`: refuse (and change nothing) unless the organisation is as
    it was when the preview was made. An unsaved organisation is created in the same
    transaction (the command's `--org`). Progress counts each row twice: checked, applied.
    """
    mapping = mapping or {}
    try:
        table = read_table(content, filename)
    except FileErrors as error:
        return ImportResult(error.errors, {})
    file_columns = [c for c in table.columns if c]
    table = apply_mapping(table, mapping)
    if missing_columns(table, kind):
        header_errors = check_header(table, *FIELDS[kind])
        return ImportResult(_name_file_columns(header_errors, mapping), {}, 0, file_columns)
    return import_table(
        organisation,
        kind,
        table,
        by=by,
        progress=progress,
        mapping=mapping,
        dry_run=dry_run,
        expected_state=expected_state,
    )


def import_table(
    organisation: Organisation,
    kind: str,
    table: Table,
    *,
    by=None,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    expected_state: str | None = None,
) -> ImportResult:
    """Check a table (read from a file, or built from an API request) and apply it atomically;
    `run_import` says what `dry_run` and `expected_state` do."""
    mapping = mapping or {}
    total = 2 * len(table.rows)
    check = check_units if kind == ImportJob.Kind.UNITS else check_people
    plan, errors = check(organisation, table, progress, total=total)
    if errors:
        return ImportResult(_bounded(_name_file_columns(errors, mapping)), {}, len(table.rows))
    if progress is not None:
        progress(len(table.rows), total)
    apply = apply_units if kind == ImportJob.Kind.UNITS else apply_people
    with transaction.atomic():
        if organisation.pk is None:
            organisation.save()
        state = state_fingerprint(organisation) if dry_run or expected_state else ""
        if expected_state is not None and state != expected_state:
            return ImportResult([_stale()], {}, len(table.rows))
        summary = apply(
            organisation, plan, by=by, progress=progress, offset=len(table.rows), total=total
        )
        if dry_run:
            transaction.set_rollback(True)
    if progress is not None:
        progress(total, total)
    return ImportResult([], summary, len(table.rows), state=state)


def saved_mapping(organisation: Organisation, kind: str) -> dict[str, str]:
    """The columns this organisation mapped last time for this kind of file."""
    found = ColumnMapping.objects.filter(organisation=organisation, kind=kind).first()
    return dict(found.columns) if found else {}


def process_job(job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Take an uploaded import job one stage on, recording progress, errors and summary.

    Not yet confirmed: compute the preview (or ask for the columns to be mapped). Confirmed:
    apply, unless the organisation changed since the preview.
    """

    def record(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)
        if progress is not None:
            progress(done, total)

    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    mapping = job.mapping or saved_mapping(job.organisation, job.kind)
    try:
        result = run_import(
            job.organisation,
            job.kind,
            bytes(job.content or b""),
            job.filename,
            by=job.created_by,
            progress=record,
            mapping=mapping,
            dry_run=not job.confirmed,
            expected_state=job.fingerprint if job.confirmed else None,
        )
    except Exception as error:  # the user must see that it failed, and why
        result = ImportResult(
            [RowError(0, "", _("The import failed unexpectedly: %s") % error)], {}
        )
    job.refresh_from_db(fields=["processed", "total"])
    job.mapping = mapping
    job.finished_at = timezone.now()
    if result.unmapped is not None and not job.confirmed:
        # Not an error yet: the process owner says which of the file's columns is which.
        job.status = ImportJob.Status.MAPPING
        job.preview = {"columns": result.unmapped}
        job.errors = [e.as_dict() for e in result.errors]
        job.save()
        return job
    job.errors = [e.as_dict() for e in result.errors]
    if result.ok:
        job.processed = job.total = 2 * result.rows
    if result.ok and not job.confirmed:
        job.status = ImportJob.Status.PREVIEW
        job.preview = result.summary
        job.fingerprint = result.state
        job.save()  # the file is kept until it is applied or given up
        return job
    job.summary = result.summary
    job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
    job.content = None  # personal data: kept only until applied
    job.save()
    audit.record(
        Kind.IMPORT_RUN,
        job.organisation_id,
        job.created_by,
        kind=job.kind,
        file=job.filename,
        rows=result.rows,
        errors=len(result.errors),
    )
    return job
