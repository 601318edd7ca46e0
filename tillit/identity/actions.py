"""Workflows of identity: a single sign-on login, the configuration, machine tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.log import Kind, record, record_sso_change
from tillit.core.models import normalise_email
from tillit.identity import provisioning
from tillit.identity.models import ApiToken, SingleSignOn, hash_token
from tillit.identity.sso import SsoError
from tillit.org import tables
from tillit.org.access import access_for, organisations_for
from tillit.org.models import Person, Unit

TOKEN_PREFIX = "tlt_"  # noqa: S105 (a prefix that lets secret scanners spot a token)


# Bookkeeping, not configuration: left out of the audit entry of a change.
SKIPPED = {"id", "organisation_id", "updated_at", "updated_by_id", "created_at"}


def _first(attributes: dict[str, list[str]], name: str) -> str:
    values = attributes.get(name) or []
    return values[0].strip() if values else ""


def record_password_login(user) -> int:
    """Log a password login in each organisation the account belongs to; how many.

    An organisation's log shows who entered Tillit with access to its pages, whichever way;
    an operator with no organisation is in none of them."""
    organisations = list(organisations_for(user))
    for organisation in organisations:
        record(Kind.LOGIN_PASSWORD, organisation, user)
    return len(organisations)


def do_sso_login(config: SingleSignOn, attributes: dict[str, list[str]]):
    """The account the identity provider vouched for, made on first login.

    Only members of the organisation get in (an active person, a role, a unit's manager):
    an organisation's identity provider speaks for its own staff, never for another's. With
    a unit attribute the person is created or moved there first, through the import's checks.
    """
    organisation = config.organisation
    email = normalise_email(_first(attributes, config.email_attribute))
    if not email and "@" in _first(attributes, "nameid"):
        email = normalise_email(_first(attributes, "nameid"))
    try:
        validate_email(email)
    except ValidationError:
        raise SsoError(_("The identity provider sent no valid e-mail address.")) from None
    name = _first(attributes, config.name_attribute)
    unit_id = _first(attributes, config.unit_attribute) if config.unit_attribute else ""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, name=name)  # language: the browser's
        elif name and user.name != name:
            user.name = name
            user.save(update_fields=["name"])
        if not user.is_active:
            raise SsoError(_("This account is not active."))
        known = Person.objects.filter(organisation=organisation, email=email).first()
        # A person HR deactivated stays so: a login (an IdP account not yet closed) never
        # brings them back; only the HR file, SCIM or an admin does.
        if (
            unit_id
            and (known is None or known.active)
            and Unit.objects.filter(
                organisation=organisation, external_id=unit_id, closed_at__isnull=True
            ).exists()
        ):
            try:
                provisioning.save_person(
                    organisation, {"email": email, "name": name or email, "unit_id": unit_id}
                )
            except tables.FileErrors as error:
                raise SsoError(str(error.errors[0].message)) from error
        if not access_for(user, organisation).is_member:
            # Rolled back with the new account: nobody outside is remembered.
            raise SsoError(
                _("%(email)s has no place in %(organisation)s in Tillit.")
                % {"email": email, "organisation": organisation.name}
            )
    record(Kind.LOGIN_SSO, organisation, user, kind=config.get_protocol_display())
    return user


def do_save_sso(config: SingleSignOn, *, by) -> SingleSignOn:
    """Store a changed configuration (a new `updated_at` drops cached clients)."""
    fields = [f.attname for f in SingleSignOn._meta.concrete_fields if f.attname not in SKIPPED]
    old = SingleSignOn.objects.filter(pk=config.pk).values(*fields).first() or {}
    config.updated_at = timezone.now()
    config.updated_by = by
    config.save()
    new = {name: getattr(config, name) for name in fields}
    record_sso_change(config.organisation, by, old, new)  # secrets only as "(changed)"
    return config


def do_create_token(
    organisation, name: str, scopes: list[str], *, unit: Unit | None = None, by=None
) -> tuple[ApiToken, str]:
    """A new token and its secret – the only time the secret exists outside the caller."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=secret[:10],
        token_hash=hash_token(secret),
        scopes=sorted(set(scopes)),
        unit=unit,
        created_by=by,
    )
    record(
        Kind.API_TOKEN_CREATED,
        organisation,
        by,
        name=token.name,
        scopes=token.scopes,
        unit=unit.name if unit else None,
    )
    return token, secret


def do_revoke_token(token: ApiToken, *, by=None) -> bool:
    """Revoke a token for good; False if it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(Kind.API_TOKEN_REVOKED, token.organisation, by, name=token.name)
    return True


def authenticate_token(header: str) -> ApiToken | None:
    """The live token in an `Authorization: Bearer …` header (its scopes are the caller's)."""
    kind, _space, secret = (header or "").partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        return None
    token = (
        ApiToken.objects.select_related("organisation", "unit")
        .filter(
            token_hash=hash_token(secret.strip()),
            revoked_at__isnull=True,
            organisation__archived_at__isnull=True,
        )
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # The date is what the page shows; writing once a minute spares every request a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
