"""The respondent's side of a survey: finding a link, checking that it may answer, drafts, and
the submit. Each `do_…` function owns its transaction; the process owner's campaign workflows
are in `actions`."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.instruments.definition import AnswerError, validate_answers
from tillit.surveys import storing
from tillit.surveys.models import (
    Campaign,
    Draft,
    Invitation,
    hash_token,
)
from tillit.surveys.questionnaire import build_questionnaire, check_all, check_background
from tillit.surveys.signals import send_answers_changed


class NotAnswerable(Exception):
    """The link cannot take answers now; `reason` is "answered", "closed" or "not_open" (and
    for a poster code "code_full" or "code_busy")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidAnswers(Exception):
    """Answers that did not pass the checks; nothing was stored."""

    def __init__(self, errors: list[tuple[str, AnswerError]]) -> None:
        super().__init__("; ".join(f"{i}.{e}" for i, e in errors))
        self.errors = errors


class Submitted(enum.Enum):
    STORED = "stored"  # this call stored the response
    REPLAY = "replay"  # the same submission was stored before: show the thank-you page again


def find_invitation(token: str) -> Invitation | None:
    """The invitation of a link (first or reminder token), or None for an unknown one."""
    if not token or len(token) > 100:
        return None
    # Two indexed lookups rather than one OR: the first link is by far the most used.
    return storing.read_link(hash_token(token))


def check_answerable(invitation: Invitation, today: date | None = None) -> None:
    """Raise NotAnswerable unless this link may answer today."""
    campaign = invitation.campaign
    today = today or timezone.localdate()
    if invitation.responded:
        raise NotAnswerable("answered")
    refusal = campaign_refusal(campaign, today)
    if refusal:
        raise NotAnswerable(refusal)


def campaign_refusal(campaign: Campaign, today: date) -> str | None:
    """Why the campaign takes no answers today ("not_open" or "closed"), or None."""
    if campaign.status == Campaign.Status.DRAFT or (
        campaign.status == Campaign.Status.OPEN and today < campaign.opens_on
    ):
        return "not_open"
    return None if campaign.accepts_answers(today) else "closed"


@dataclass
class DraftState:
    answers: dict[str, dict[str, Any]]
    background: dict[str, str]
    page: int
    language: str
    idempotency_key: uuid.UUID | None

    @classmethod
    def of(cls, draft: Draft, invitation: Invitation) -> DraftState:
        """A saved draft's state; its language, or the link's when it has none."""
        return cls(
            draft.answers,
            draft.background,
            draft.page,
            draft.language or invitation.language,
            draft.idempotency_key,
        )


def load_draft(invitation: Invitation, *, fresh: bool = False) -> DraftState:
    """The saved draft of a link, or an empty one (read with the invitation when it can be)."""
    if fresh or not Invitation.draft.related.is_cached(invitation):
        draft = Draft.objects.filter(invitation_id=invitation.token_hash).first()
    else:
        draft = getattr(invitation, "draft", None)  # None when the link has no draft
    if draft is None:
        return DraftState({}, {}, 0, invitation.language, None)
    return DraftState.of(draft, invitation)


def do_save_draft(
    invitation: Invitation | str,
    *,
    page: int,
    answers: Mapping[str, Mapping[str, Any]] | None = None,
    background: Mapping[str, str] | None = None,
    language: str | None = None,
    new_key: bool = False,
) -> DraftState:
    """Check a page's answers (types and ranges; required ones only at submit), merge them
    into the link's draft and remember the page.

    With `new_key`, the draft gets an idempotency key unless it has one, so that the review
    page, refreshed or opened twice, always submits with the same key. `invitation` may be
    the link's token. Raises Invitation.DoesNotExist, NotAnswerable or InvalidAnswers.
    """
    if isinstance(invitation, str):
        found = find_invitation(invitation)
        if found is None:
            raise Invitation.DoesNotExist
        invitation = found
    check_answerable(invitation)
    if answers:
        definitions = build_questionnaire(invitation.campaign, invitation).definitions
        errors = []
        for instrument, given in answers.items():
            if instrument not in definitions:
                errors.append(
                    (instrument, AnswerError(instrument, _("There is no such question.")))
                )
            else:
                problems = validate_answers(definitions[instrument], given, partial=True)
                errors.extend((instrument, problem) for problem in problems)
        if errors:
            raise InvalidAnswers(errors)
    with transaction.atomic():
        draft, _created = Draft.objects.select_for_update().get_or_create(
            invitation_id=invitation.token_hash,
            defaults={"campaign_id": invitation.campaign_id, "language": invitation.language},
        )
        for instrument, given in (answers or {}).items():
            draft.answers.setdefault(instrument, {}).update(given)
        draft.background.update(background or {})
        draft.page = page
        if language:
            draft.language = language
        if new_key and draft.idempotency_key is None:
            draft.idempotency_key = uuid.uuid4()
        draft.updated_on = timezone.localdate()
        draft.save()
    return DraftState.of(draft, invitation)


def _store(
    invitation: Invitation,
    key: uuid.UUID,
    answers: Mapping[str, Any],
    background: Mapping[str, Any],
) -> Submitted:
    # Check everything that needs no lock first: on SQLite the write transaction below holds
    # the whole database, so it must be short (reads and validation outside it).
    today = timezone.localdate()
    if not invitation.responded:
        check_answerable(invitation, today)
    questionnaire = build_questionnaire(invitation.campaign, invitation)
    cleaned, errors = check_all(questionnaire, answers)
    errors += [("background", e) for e in check_background(questionnaire, background)]
    bands = {**invitation.background}
    bands.update({k: v for k, v in background.items() if v})
    if errors:
        # Invitation and draft were read together: a used link has no draft, so its answers
        # are missing – a replay, not a mistake to show.
        if invitation.responded:
            return _replay_or_answered(invitation, key)
        raise InvalidAnswers(errors)
    stored = storing.store_response(
        invitation_id=invitation.pk,
        token_hash=invitation.token_hash,
        campaign_id=invitation.campaign_id,
        unit_id=invitation.unit_id,
        background=bands,
        submitted_on=today,
        key=key,
        cleaned=cleaned,
        definitions=questionnaire.definitions,
    )
    if not stored:
        return _replay_or_answered(invitation, key)
    send_answers_changed(invitation.campaign_id, stream=True)
    invitation.responded = True
    invitation.idempotency_key = key
    return Submitted.STORED


def _replay_or_answered(invitation: Invitation, key: uuid.UUID) -> Submitted:
    """A used link: the same submission again is a replay; any other is refused.

    The key that used the link was written onto the invitation by the claim (read afresh: the
    claim may have been a racing request's, after this one read the link).
    """
    if Invitation.objects.filter(pk=invitation.pk, idempotency_key=key).exists():
        return Submitted.REPLAY
    raise NotAnswerable("answered")


def submit_for(
    invitation: Invitation,
    idempotency_key: uuid.UUID | str,
    answers: Mapping[str, Any],
    background: Mapping[str, Any] | None = None,
) -> Submitted:
    """`do_submit` for an invitation already looked up by its token."""
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        raise InvalidAnswers(
            [("submit", AnswerError("idempotency_key", _("The form is damaged: reload it.")))]
        ) from None
    return _store(invitation, key, answers, background or {})


def do_submit(
    token: str,
    idempotency_key: uuid.UUID | str,
    answers: Mapping[str, Any],
    background: Mapping[str, Any] | None = None,
) -> Submitted:
    """Store one response for a link, exactly once.

    Check every answer, then in one transaction claim the link (marking it used and writing
    the key onto it), store the response and its answers and drop the draft. If the link is
    used – before, or by a racing request – the key it was used with makes this a replay (the
    thank-you page again, never a second row) and any other key is refused.
    Raises Invitation.DoesNotExist, NotAnswerable or InvalidAnswers.
    """
    invitation = find_invitation(token)
    if invitation is None:
        raise Invitation.DoesNotExist
    return submit_for(invitation, idempotency_key, answers, background)
