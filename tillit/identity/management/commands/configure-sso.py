"""The operator's way to connect an organisation's identity provider (the page's checks)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tillit.identity import actions
from tillit.identity.forms import SingleSignOnForm
from tillit.identity.models import SingleSignOn
from tillit.org.models import Organisation

FIELDS = (
    "issuer",
    "client_id",
    "client_secret",
    "metadata_url",
    "email_attribute",
    "name_attribute",
    "unit_attribute",
)


class Command(BaseCommand):
    help = "Set up single sign-on for an organisation (OpenID Connect or SAML 2.0)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organisation's short name.")
        parser.add_argument("--protocol", choices=["oidc", "saml"])
        for field in FIELDS:
            parser.add_argument("--" + field.replace("_", "-"))
        parser.add_argument("--metadata-file", type=Path, help="The IdP's SAML metadata XML.")
        parser.add_argument("--enable", action="store_true")
        parser.add_argument("--disable", action="store_true")
        parser.add_argument("--password-login", choices=["on", "off"])

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['org']}.")
        config = SingleSignOn.objects.filter(organisation=organisation).first()
        instance = config or SingleSignOn(organisation=organisation)
        current = {f: getattr(instance, f) for f in (*FIELDS, "protocol", "metadata_xml")}
        current.update(enabled=instance.enabled, password_login=instance.password_login)
        data = {**current}
        for field in (*FIELDS, "protocol"):
            if options.get(field) is not None:
                data[field] = options[field]
        if options["metadata_file"]:
            data["metadata_xml"] = options["metadata_file"].read_text(encoding="utf-8")
        if options["enable"] or options["disable"]:
            data["enabled"] = options["enable"]
        if options["password_login"]:
            data["password_login"] = options["password_login"] == "on"  # noqa: S105 (on/off)
        # A form's booleans are present or absent.
        data = {k: v for k, v in data.items() if v not in (False, None)}
        form = SingleSignOnForm(data, instance=config or SingleSignOn(organisation=organisation))
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise CommandError(problems)
        saved = actions.do_save_sso(form.save(commit=False), by=None)
        state = "on" if saved.enabled else "off"
        self.stdout.write(
            f"{organisation.slug}: {saved.get_protocol_display()} single sign-on {state}."
        )
