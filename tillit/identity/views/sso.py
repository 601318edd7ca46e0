"""Logging in through an organisation's identity provider, and out again."""

from django import forms
from django.contrib.auth import authenticate, login
from django.contrib.auth import logout as end_session
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tillit.core import throttle
from tillit.core.middleware import waiting_elsewhere
from tillit.identity import sso
from tillit.identity.middleware import SESSION_KEY, SESSION_SLUG
from tillit.identity.models import SingleSignOn

NEXT_KEY = "sso_next"


def _config(slug: str) -> SingleSignOn:
    config = get_object_or_404(
        SingleSignOn.objects.select_related("organisation"),
        organisation__slug=slug,
        organisation__archived_at__isnull=True,  # an archived organisation logs nobody in
    )
    if not config.enabled:
        raise Http404
    return config


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        return value
    return reverse("home")


class OrganisationForm(forms.Form):
    organisation = forms.SlugField(
        label=gettext_lazy("Your organisation's short name in Tillit"),
        help_text=gettext_lazy("As in its addresses: /o/short-name/. Your IT department knows it."),
    )


def start(request: HttpRequest) -> HttpResponse:
    """Ask which organisation's identity provider to use."""
    form = OrganisationForm(request.GET or None)
    if form.is_valid():
        slug = form.cleaned_data["organisation"]
        if SingleSignOn.objects.filter(organisation__slug=slug, enabled=True).exists():
            target = reverse("identity:login", args=[slug])
            params = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
            return _continue(
                request,
                f"{target}?{params}" if params else target,
                _("Continuing to your organisation's login"),
                _("Continue"),
            )
        form.add_error(
            "organisation", _("No organisation with this short name uses single sign-on.")
        )
    return render(request, "identity/start.html", {"form": form, "next": request.GET.get("next")})


def _continue(request: HttpRequest, url: str, heading: str, link: str) -> HttpResponse:
    """Go on to another site from a form's answer by a page, not a redirect: the CSP's
    form-action 'self' also covers where a form's redirects lead, so Chromium would stop a
    redirect to the identity provider."""
    return render(request, "identity/continue.html", {"url": url, "heading": heading, "link": link})


def begin(request: HttpRequest, org: str) -> HttpResponse:
    """Send the browser to the organisation's identity provider."""
    config = _config(org)
    next_url = _safe_next(request, request.GET.get("next", ""))
    request.session[NEXT_KEY] = next_url
    try:
        if config.protocol == SingleSignOn.Protocol.OIDC:
            callback = request.build_absolute_uri(reverse("identity:oidc_callback", args=[org]))
            with waiting_elsewhere():  # the discovery document, read once per process
                return sso.oidc_client(config).authorize_redirect(request, callback)
        return redirect(sso.saml_redirect(request, config, next_url))
    except Exception:  # the IdP's metadata could not be read: say so, not 500
        return _refused(
            request,
            config,
            _("The identity provider cannot be reached. Try again later, or ask IT."),
            status=502,
        )


def _refused(request, config, message: str, status: int = 403) -> HttpResponse:
    password = config.password_login
    return render(
        request,
        "identity/refused.html",
        {
            "message": message,
            "organisation": None,
            "org_name": config.organisation.name,
            "password_login": password,
        },
        status=status,
    )


def _finish(request: HttpRequest, config: SingleSignOn, attributes, next_url: str) -> HttpResponse:
    try:
        user = authenticate(request, sso_config=config, sso_attributes=attributes)
    except sso.SsoError as error:
        return _refused(request, config, str(error))
    if user is None:
        return _refused(request, config, _("The login was not accepted."))
    id_token = request.session.get("sso_id_token", "")
    login(request, user)  # a new session key: nothing of the attempt carries over
    request.session[SESSION_KEY] = config.organisation_id
    request.session[SESSION_SLUG] = config.organisation.slug
    request.session["sso_id_token"] = id_token
    return redirect(_safe_next(request, next_url))


def oidc_callback(request: HttpRequest, org: str) -> HttpResponse:
    """The OpenID provider sends the browser back here with a code."""
    config = _config(org)
    if config.protocol != SingleSignOn.Protocol.OIDC:
        raise Http404
    try:
        attributes = sso.oidc_attributes(config, request)
    except Exception:  # a wrong state, an expired code, a bad signature: all refused
        return _refused(request, config, _("The identity provider's answer was not accepted."))
    return _finish(request, config, attributes, request.session.get(NEXT_KEY, ""))


@csrf_exempt  # the IdP posts here; the signed response and our request id protect it
@require_POST
def saml_acs(request: HttpRequest, org: str) -> HttpResponse:
    """The SAML identity provider posts its signed response here."""
    config = _config(org)
    if config.protocol != SingleSignOn.Protocol.SAML:
        raise Http404
    if throttle.hit(throttle.key_for("saml-acs", throttle.client_address(request)), 60) > 60:
        return HttpResponse(status=429)
    try:
        attributes, next_url = sso.saml_attributes(request, config)
    except sso.SsoError:
        return _refused(request, config, _("The identity provider's answer was not accepted."))
    return _finish(request, config, attributes, next_url)


def saml_metadata(request: HttpRequest, org: str) -> HttpResponse:
    """This service's SAML metadata for the organisation's IdP administrator."""
    config = get_object_or_404(
        SingleSignOn.objects.select_related("organisation"),
        organisation__slug=org,
        protocol=SingleSignOn.Protocol.SAML,
    )
    return HttpResponse(sso.saml_metadata(request, config), content_type="application/xml")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the session; after an OpenID Connect login, end it at the provider too."""
    organisation_id = request.session.get(SESSION_KEY)
    id_token = request.session.get("sso_id_token", "")
    end_session(request)
    config = (
        SingleSignOn.objects.select_related("organisation")
        .filter(organisation_id=organisation_id, enabled=True)
        .first()
        if organisation_id
        else None
    )
    if config is not None and config.protocol == SingleSignOn.Protocol.OIDC and id_token:
        try:
            end = sso.oidc_client(config).load_server_metadata().get("end_session_endpoint")
        except Exception:
            end = None
        if end:
            back = request.build_absolute_uri(reverse("login"))
            url = sso.oidc_client(config).logout_redirect(
                request, post_logout_redirect_uri=back, id_token_hint=id_token
            )["Location"]
            return _continue(
                request,
                url,
                _("You are logged out of Tillit"),
                _("Log out at %(organisation)s too") % {"organisation": config.organisation.name},
            )
    return redirect("login")
