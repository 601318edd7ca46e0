"""What a site operator does: create organisations with their first process owner, give a
consultant several organisations, and (on the command line only) name operators."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit import audit
from tillit.audit.log import Kind
from tillit.audit.models import AuditEntry
from tillit.core.models import User, normalise_email
from tillit.org.models import Organisation, Person, RoleGrant, Unit
from tillit.org.roles import Outcome, RoleError, do_grant_role

#: Sensible defaults per country; the process owner changes them on the settings page.
COUNTRY_DEFAULTS = {
    Organisation.Country.SE: {"language": "sv", "currency": "SEK", "benchmark": "kolada"},
    Organisation.Country.DK: {"language": "da", "currency": "DKK", "benchmark": "none"},
    Organisation.Country.NO: {"language": "nb", "currency": "NOK", "benchmark": "none"},
    Organisation.Country.OTHER: {"language": "en", "currency": "EUR", "benchmark": "none"},
}


def free_slug(name: str) -> str:
    """A short name for addresses, made from the name and not yet taken."""
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def do_create_organisation(
    name: str,
    country: str,
    language: str,
    owner_email: str,
    *,
    owner_name: str = "",
    slug: str = "",
    by: User | None = None,
) -> tuple[Organisation, Outcome]:
    """Create an organisation and invite its first process owner (in its language)."""
    defaults = COUNTRY_DEFAULTS.get(country, COUNTRY_DEFAULTS[Organisation.Country.OTHER])
    owner_email = normalise_email(owner_email)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            slug=slug or free_slug(name),
            name=name,
            country=country,
            language=language or defaults["language"],
            currency=defaults["currency"],
            benchmark=defaults["benchmark"],
        )
        if owner_name and not User.objects.filter(email=owner_email).exists():
            # No language: a new person follows the organisation's until they choose one.
            User.objects.create_user(owner_email, name=owner_name)
        _grant, outcome = do_grant_role(organisation, owner_email, RoleGrant.Role.ADMIN, by=by)
    return organisation, outcome


def do_give_organisations(
    email: str, organisations: list[Organisation], *, by: User | None = None
) -> list[Organisation]:
    """Make someone (a consultant) process owner in each organisation; returns those added."""
    added = []
    for organisation in organisations:
        try:
            do_grant_role(organisation, email, RoleGrant.Role.ADMIN, by=by)
        except RoleError:
            continue  # already a process owner there
        added.append(organisation)
    return added


def do_rename_organisation(organisation: Organisation, name: str, *, by: User | None) -> None:
    """Give an organisation a new name. The short name (slug) stays: it is in every address
    of the organisation, in links already mailed and bookmarked, in API clients' URLs and in
    the single sign-on addresses registered at the identity provider."""
    name = name.strip()
    if not name:
        raise ValueError(_("The name cannot be empty."))
    old = organisation.name
    if name == old:
        return
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(name=name)
        organisation.name = name
        audit.record(Kind.ORGANISATION_RENAMED, organisation, by, old=old, new=name)


def do_save_settings(
    organisation: Organisation,
    *,
    logo: tuple[bytes, str] | None = None,
    remove_logo: bool = False,
    by: User | None,
) -> None:
    """Save the process owner's settings (the form's changes on `organisation`); a new name is
    written to the audit log, as the operator's rename is."""
    old = Organisation.objects.values_list("name", flat=True).get(pk=organisation.pk)
    if logo:
        organisation.logo, organisation.logo_type = logo
    elif remove_logo:
        organisation.logo, organisation.logo_type = None, ""
    with transaction.atomic():
        organisation.save()
        if organisation.name != old:
            audit.record(
                Kind.ORGANISATION_RENAMED, organisation, by, old=old, new=organisation.name
            )


def delete_organisation_rows(organisation: Organisation) -> None:
    """Delete an organisation and everything that cascades from it (the tree's PROTECT links
    undone first). The caller owns the decision: `records.actions.do_delete_organisation`."""
    with transaction.atomic():
        # Its audit entries go with it (the log's foreign key would only set them to null).
        AuditEntry.objects.filter(organisation=organisation).delete()
        Person.objects.filter(organisation=organisation).delete()
        Unit.objects.filter(organisation=organisation).update(parent=None)
        organisation.delete()


def do_set_operator(email: str, operator: bool) -> User:
    """Grant or revoke the site operator role; the account is created when new."""
    email = normalise_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        if not operator:
            raise ValueError(_("There is no account with the e-mail address %s.") % email)
        user = User.objects.create_user(email)
    user.is_operator = operator
    user.save(update_fields=["is_operator"])
    return user


def operators() -> list[User]:
    """Everyone who may create organisations."""
    return list(User.objects.filter(is_operator=True).order_by("email"))
