from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "tillit.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from tillit.core.jobs import register_sweeper
        from tillit.core.languages import add_fallback
        from tillit.org.languages import organisation_language_for_email
        from tillit.org.tasks import sweep_import_jobs

        register_sweeper("tillit.org.tasks.run_import_job", sweep_import_jobs)
        add_fallback(organisation_language_for_email)
