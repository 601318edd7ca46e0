"""A questionnaire in test mode: the answering pages as a respondent meets them, for the
process owner's preview and the test link they mail themselves. Nothing is stored.

A test link is signed (campaign, language, a nonce), not a row: no `Invitation`, `Draft` or
`Response` is ever written for it. The pages' state lives in the tester's session under the
nonce and is dropped at the end ("send" checks the answers as a real submit would and stores
nothing).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tillit.instruments.definition import AnswerError
from tillit.surveys.models import Campaign, Invitation
from tillit.surveys.questionnaire import build_questionnaire, check_all, check_background
from tillit.surveys.responding import DraftState
from tillit.surveys.views.answering import _int, _render_page, _save_page

SALT = "tillit.surveys.test-link"
VALID_DAYS = 30


def preview_token(campaign: Campaign, language: str) -> str:
    """A signed test link for the campaign in `language` (valid for 30 days)."""
    return signing.dumps(
        {"c": campaign.pk, "l": language, "n": secrets.token_urlsafe(6)}, salt=SALT, compress=True
    )


def preview_url(campaign: Campaign, language: str, *, absolute: bool = False) -> str:
    """The address of a fresh test link (absolute for an e-mail)."""
    path = reverse("surveys:test_answer", args=[preview_token(campaign, language)])
    return settings.SITE_URL.rstrip("/") + path if absolute else path


def _link(token: str) -> tuple[Invitation, str]:
    """An unsaved invitation standing in for the respondent, and the link's nonce."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_DAYS * 24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    campaign = (
        Campaign.objects.select_related("organisation", "target_unit").filter(pk=data["c"]).first()
    )
    if campaign is None:
        raise Http404
    language = data["l"] if data["l"] in campaign.languages else campaign.languages[0]
    invitation = Invitation(
        campaign=campaign, unit=campaign.target_unit, language=language, token_hash=""
    )
    return invitation, data["n"]


class SessionDraft:
    """The draft of one test link, in the tester's session instead of the database."""

    def __init__(self, request: HttpRequest, nonce: str, language: str) -> None:
        self.session = request.session
        self.key = f"tillit-test-{nonce}"
        self.language = language

    def load(self) -> DraftState:
        data = self.session.get(self.key) or {}
        return DraftState(
            data.get("answers", {}),
            data.get("background", {}),
            data.get("page", 0),
            data.get("language") or self.language,
            None,
        )

    def save(
        self,
        invitation: Invitation,
        *,
        page: int,
        answers: dict[str, Any] | None = None,
        background: dict[str, str] | None = None,
        language: str | None = None,
        new_key: bool = False,
    ) -> DraftState:
        state = self.load()
        for instrument, given in (answers or {}).items():
            state.answers.setdefault(instrument, {}).update(given)
        state.background.update(background or {})
        self.session[self.key] = {
            "answers": state.answers,
            "background": state.background,
            "page": page,
            "language": language or state.language,
        }
        return self.load()

    def clear(self) -> None:
        self.session.pop(self.key, None)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """One page of the questionnaire in test mode."""
    invitation, nonce = _link(token)
    store = SessionDraft(request, nonce, invitation.language)
    questionnaire = build_questionnaire(invitation.campaign, invitation)
    state = store.load()
    translation.activate(state.language)
    if request.method == "POST":
        return _save_page(request, invitation, questionnaire, state, save=store.save, test=True)
    page = questionnaire.page(_int(request.GET.get("p"), state.page))
    if page.index != state.page:
        state = store.save(invitation, page=page.index)
    return _render_page(request, invitation, questionnaire, state, page, test=True)


@never_cache
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    """Check the answers as a real submit would; store nothing and say so."""
    invitation, nonce = _link(token)
    store = SessionDraft(request, nonce, invitation.language)
    state = store.load()
    translation.activate(state.language)
    questionnaire = build_questionnaire(invitation.campaign, invitation)
    _cleaned, problems = check_all(questionnaire, state.answers)
    errors = [AnswerError(f"{i}.{e.item}", e.message) for i, e in problems]
    errors += check_background(questionnaire, state.background)
    if errors:
        return _render_page(
            request,
            invitation,
            questionnaire,
            state,
            questionnaire.pages[-1],
            errors=errors,
            status=400,
            test=True,
        )
    store.clear()
    return render(
        request,
        "surveys/status.html",
        {"campaign": invitation.campaign, "reason": "test_done", "test_mode": True},
    )
