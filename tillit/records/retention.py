"""Retention (gallring): delete what an organisation's policy says is due, and log it.

Published results outlive raw answers: before a campaign's answers go, its publication is
stored (if it never was) and marked final (`ResultSnapshot.raw_deleted_at`), so trends and
pages keep reading what was published and nothing is ever recomputed from fewer answers.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tillit import audit
from tillit.audit.log import Kind
from tillit.audit.models import AuditEntry
from tillit.org.models import ImportJob, Organisation
from tillit.records.models import DEFAULTS, RetentionPolicy, RetentionRun
from tillit.results.models import ResultSnapshot
from tillit.results.refreshing import get_snapshot
from tillit.surveys.models import Answer, Campaign, Draft, Invitation, Response


def policy_of(organisation: Organisation) -> RetentionPolicy:
    """The organisation's policy; the documented defaults when it never set one (not saved)."""
    found = RetentionPolicy.objects.filter(organisation=organisation).first()
    return found or RetentionPolicy(organisation=organisation, **DEFAULTS)


def _closed_before(organisation: Organisation, today: dt.date, days: int):
    return Campaign.objects.filter(
        organisation=organisation,
        status=Campaign.Status.CLOSED,
        closes_on__lt=today - dt.timedelta(days=days),
    )


def _finalise(campaigns, now: dt.datetime) -> None:
    """Store each campaign's publication if it has none, then mark it final."""
    for campaign in campaigns:
        get_snapshot(campaign)
    ResultSnapshot.objects.filter(campaign__in=campaigns, raw_deleted_at__isnull=True).update(
        raw_deleted_at=now
    )


def apply_retention(organisation: Organisation, now: dt.datetime | None = None) -> RetentionRun:
    """Delete the organisation's data that its policy says is due at `now`; one run logged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = policy_of(organisation)
    deleted: dict[str, object] = {}
    with transaction.atomic():
        answers_due = list(_closed_before(organisation, today, policy.raw_answers_days))
        comments_due = list(_closed_before(organisation, today, policy.comments_days))
        with_answers = [c for c in answers_due if Response.objects.filter(campaign=c).exists()]
        with_comments = [
            c for c in comments_due if Answer.objects.filter(campaign=c).exclude(text="").exists()
        ]
        _finalise({*with_answers, *with_comments}, now)
        comments = Answer.objects.filter(campaign__in=with_comments).exclude(text="")
        deleted["comments"] = comments.delete()[0]
        # Answers first (one statement), then the responses they belonged to.
        deleted["raw_answers"] = Answer.objects.filter(campaign__in=with_answers).delete()[0]
        Response.objects.filter(campaign__in=with_answers).delete()
        deleted["campaigns"] = sorted(c.name for c in with_answers)

        drafts_due = _closed_before(organisation, today, policy.drafts_days)
        deleted["drafts"] = Draft.objects.filter(campaign__in=drafts_due).delete()[0]
        invitations_due = _closed_before(organisation, today, policy.invitations_days)
        invitations = Invitation.objects.filter(campaign__in=invitations_due)
        deleted["invitations"] = invitations.count()
        invitations.delete()

        imports = ImportJob.objects.filter(
            organisation=organisation,
            finished_at__lt=now - dt.timedelta(days=policy.import_files_days),
        )
        deleted["import_files"] = imports.count()
        imports.delete()
        entries = AuditEntry.objects.filter(
            organisation=organisation, at__lt=now - dt.timedelta(days=policy.audit_days)
        )
        deleted["audit"] = entries.count()
        entries.delete()

        run = RetentionRun.objects.create(organisation=organisation, ran_at=now, deleted=deleted)
        counts = {key: value for key, value in deleted.items() if key != "campaigns"}
        if any(counts.values()):
            audit.record(Kind.RETENTION_RUN, organisation, None, deleted=counts)
    return run


def apply_all(now: dt.datetime | None = None) -> list[RetentionRun]:
    """`apply_retention` for every organisation (the daily task)."""
    return [apply_retention(organisation, now) for organisation in Organisation.objects.all()]
