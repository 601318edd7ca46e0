"""Setting an organisation up: site operators, the settings page, its language everywhere,
help pages and the home page's next steps."""

import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from tillit.audit.log import Kind
from tillit.audit.models import AuditEntry
from tillit.core.models import User
from tillit.org.models import Organisation, RoleGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    call_command("grant_operator", "drift@tillit.example", stdout=io.StringIO())
    return User.objects.get(email="drift@tillit.example")


def test_grant_and_revoke_operator_on_the_command_line():
    out = io.StringIO()
    call_command("grant_operator", "Drift@Tillit.example", stdout=out)
    assert User.objects.get(email="drift@tillit.example").is_operator
    assert "is now a site operator" in out.getvalue()
    call_command("revoke_operator", "drift@tillit.example", stdout=io.StringIO())
    assert not User.objects.get(email="drift@tillit.example").is_operator
    with pytest.raises(Exception, match="no account"):
        call_command("revoke_operator", "nobody@tillit.example", stdout=io.StringIO())


def test_operator_creates_a_danish_organisation_and_its_owner_gets_a_danish_invitation(
    client, operator, org
):
    client.force_login(operator)
    response = client.post(
        reverse("org:operator"),
        {
            "name": "Havby Kommune",
            "country": "dk",
            "language": "",
            "owner_email": "Mette@Havby.dk",
            "owner_name": "Mette Holm",
        },
        follow=True,
    )
    havby = Organisation.objects.get(name="Havby Kommune")
    assert (havby.slug, havby.country, havby.language, havby.currency) == (
        "havby-kommune",
        "dk",
        "da",
        "DKK",
    )
    assert not havby.shows_kolada
    assert RoleGrant.objects.filter(organisation=havby, email="mette@havby.dk", role="admin")
    owner = User.objects.get(email="mette@havby.dk")
    assert owner.name == "Mette Holm" and owner.language == ""  # follows the organisation
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "da"
    assert message.subject == "Invitation til Tillit – Havby Kommune"
    assert "/invitation/" in message.body
    # The operator's list shows every organisation with its process owners.
    html = response.content.decode()
    assert "Havby Kommune" in html and "mette@havby.dk" in html and "Testby kommun" in html
    # The link opens a Danish page for the invitee, whose browser says nothing.
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    client.logout()
    client.cookies.clear()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path, follow=True)
    assert '<html lang="da">' in page.content.decode()


def test_operator_gives_a_consultant_several_organisations(client, operator, org, other_org):
    client.force_login(operator)
    client.post(
        reverse("org:operator"),
        {"email": "konsult@example.com", "organisations": [org.pk, other_org.pk]},
    )
    orgs = set(
        RoleGrant.objects.filter(email="konsult@example.com", role="admin").values_list(
            "organisation__slug", flat=True
        )
    )
    assert orgs == {org.slug, other_org.slug}


def test_only_operators_see_the_operator_page(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("org:operator")).status_code == 404
    assert client.post(reverse("org:operator"), {"name": "X"}).status_code == 404
    assert not Organisation.objects.filter(name="X").exists()


def settings_data(org, **changes):
    data = {
        "name": org.name,
        "country": org.country,
        "language": org.language,
        "k": 5,
        "k_dist": 8,
        "k_text": 10,
        "k_sensitive": 20,
        "hourly_cost": "420",
        "currency": "SEK",
        "benchmark": "kolada",
    }
    data.update(changes)
    return data


def test_thresholds_below_the_floor_or_below_k_are_refused(client, org, admin_user):
    client.force_login(admin_user)
    url = reverse("org:settings", args=[org.slug])
    response = client.post(url, settings_data(org, k=2, k_dist=4))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "greater than or equal to 3" in errors["k"][0]
    response = client.post(url, settings_data(org, k=6, k_dist=5))
    assert response.context["form"].errors["k_dist"] == [
        "This threshold is 5, below k (6): it cannot be lower."
    ]
    response = client.post(url, settings_data(org, country="dk"))
    assert "Kolada" in response.context["form"].errors["benchmark"][0]
    org.refresh_from_db()
    assert (org.k, org.k_dist, org.country) == (5, 8, "se")  # nothing saved


def test_settings_are_saved_and_used(client, org, admin_user, units):
    from decimal import Decimal

    client.force_login(admin_user)
    url = reverse("org:settings", args=[org.slug])
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(picture, "PNG")
    picture.name = "logo.png"
    picture.seek(0)
    data = settings_data(org, k=6, k_dist=9, hourly_cost="455.50", language="nb", country="no")
    data["benchmark"] = "none"
    response = client.post(url, {**data, "logo_file": picture})
    assert response.status_code == 302, response.context["form"].errors
    org.refresh_from_db()
    assert (org.k, org.k_dist, org.language, org.hourly_cost) == (6, 9, "nb", Decimal("455.50"))
    assert org.logo_type == "image/png" and bytes(org.logo).startswith(b"\x89PNG")
    assert client.get(reverse("org:logo", args=[org.slug]))["Content-Type"] == "image/png"
    # New campaigns start from the organisation's thresholds and language.
    page = client.get(reverse("surveys:create", args=[org.slug]))
    form = page.context["form"]
    assert (form.instance.k, form.instance.k_dist, form.instance.languages) == (6, 9, ["nb"])
    # The steering register reads the same hourly cost.
    roles = client.get(reverse("steering:roles", args=[org.slug]))
    assert roles.context["cost_form"].initial["hourly_cost"] == Decimal("455.50")
    # A new name is audited (the first save kept the name: no entry).
    assert not AuditEntry.objects.filter(kind=Kind.ORGANISATION_RENAMED).exists()
    old_name = org.name
    response = client.post(url, {**data, "name": "Testby kommun (ny)"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(kind=Kind.ORGANISATION_RENAMED)
    assert (entry.detail["old"], entry.detail["new"]) == (old_name, "Testby kommun (ny)")
    assert entry.actor_id == admin_user.pk


def test_a_file_that_is_not_a_picture_is_refused_as_logo(client, org, admin_user):
    client.force_login(admin_user)
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    fake.name = "logo.png"
    response = client.post(
        reverse("org:settings", args=[org.slug]), {**settings_data(org), "logo_file": fake}
    )
    assert response.status_code == 200 and response.context["form"].errors["logo_file"]
    org.refresh_from_db()
    assert not org.logo


def test_settings_are_for_process_owners_only(client, org, manager_user, outsider_user):
    client.force_login(manager_user)
    assert client.get(reverse("org:settings", args=[org.slug])).status_code == 403
    client.force_login(outsider_user)
    assert client.get(reverse("org:settings", args=[org.slug])).status_code == 404


def test_pages_follow_the_organisation_language_unless_the_user_chose_one(client, org, admin_user):
    org.language = "da"
    org.save()
    client.cookies.clear()
    client.force_login(admin_user)
    html = client.get(reverse("org:overview", args=[org.slug])).content.decode()
    assert '<html lang="da">' in html and "Det næste at gøre" in html
    admin_user.language = "nb"
    admin_user.save()
    html = client.get(reverse("org:overview", args=[org.slug])).content.decode()
    assert '<html lang="nb">' in html


def test_password_reset_mail_in_the_organisation_language(client, org, admin_user):
    org.language = "da"
    org.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the browser's language does not count
    client.post(reverse("password_reset"), {"email": admin_user.email})
    [message] = mail.outbox
    assert message.subject == "Vælg en ny adgangskode til Tillit"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("da", "Hvad de ni udsagn måler"), ("nb", "Hva de ni påstandene måler"), ("en", "nine")],
)
def test_help_pages_in_each_language(client, lang, words):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    for topic in ("hme", "principles", "anonymity", "methods"):
        response = client.get(reverse("help", args=[topic]))
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.content.decode()
    assert words in client.get(reverse("help", args=["hme"])).content.decode()
    assert client.get("/help/nothing/").status_code == 404


def test_home_page_says_what_to_do_next(client, org, admin_user, units):
    import datetime as dt

    from django.utils import timezone

    from tillit.programmes.models import Artefact

    Artefact.objects.create(
        organisation=org,
        kind="action",
        title="Færre registreringer",
        owner_email=admin_user.email,
        due_date=timezone.localdate() - dt.timedelta(days=2),
        status="planned",
    )
    client.force_login(admin_user)
    html = client.get(reverse("org:overview", args=[org.slug])).content.decode()
    assert "Your action “Færre registreringer” was due" in html
    assert "next-steps__item--urgent" in html
