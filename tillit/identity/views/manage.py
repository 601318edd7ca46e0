"""The process owner's pages: single sign-on settings and machine tokens."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.identity import actions
from tillit.identity.forms import SingleSignOnForm, TokenForm
from tillit.identity.models import ApiToken, SingleSignOn
from tillit.org.access import org_view

SESSION_NEW_TOKEN = "identity_new_token"  # noqa: S105 (a session key, not a secret)


@org_view(admin=True)
def sso_settings(request: HttpRequest) -> HttpResponse:
    """Connect the organisation's identity provider; shows what IT needs from Tillit."""
    organisation = request.organisation
    config = SingleSignOn.objects.filter(organisation=organisation).first() or SingleSignOn(
        organisation=organisation, protocol=SingleSignOn.Protocol.OIDC
    )
    form = SingleSignOnForm(request.POST or None, request.FILES or None, instance=config)
    if request.method == "POST" and form.is_valid():
        actions.do_save_sso(form.save(commit=False), by=request.user)
        messages.success(request, _("Single sign-on settings saved."))
        return redirect("identity:sso_settings", org=organisation.slug)
    slug = organisation.slug
    return render(
        request,
        "identity/sso_settings.html",
        {
            "organisation": organisation,
            "access": request.access,
            "form": form,
            "redirect_uri": request.build_absolute_uri(
                reverse("identity:oidc_callback", args=[slug])
            ),
            "metadata_url": request.build_absolute_uri(
                reverse("identity:saml_metadata", args=[slug])
            ),
            "acs_url": request.build_absolute_uri(reverse("identity:saml_acs", args=[slug])),
            "login_url": request.build_absolute_uri(reverse("identity:login", args=[slug])),
        },
    )


@org_view(admin=True)
def tokens(request: HttpRequest) -> HttpResponse:
    """The organisation's tokens; a new one's secret is shown on this response only."""
    organisation = request.organisation
    form = TokenForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        _token, secret = actions.do_create_token(
            organisation,
            form.cleaned_data["name"],
            form.cleaned_data["scopes"],
            unit=form.cleaned_data["unit"],
            by=request.user,
        )
        # Through the session to the next page only, so a reload makes no second token.
        request.session[SESSION_NEW_TOKEN] = secret
        return redirect("identity:tokens", org=organisation.slug)
    secret = request.session.pop(SESSION_NEW_TOKEN, None)
    response = render(
        request,
        "identity/tokens.html",
        {
            "organisation": organisation,
            "access": request.access,
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(organisation=organisation).select_related("unit"),
            "scim_url": request.build_absolute_uri("/scim/v2/"),
            "api_url": request.build_absolute_uri("/api/v1/"),
        },
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@org_view(admin=True)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, organisation=request.organisation)
    if actions.do_revoke_token(token, by=request.user):
        messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("identity:tokens", org=request.organisation.slug)
