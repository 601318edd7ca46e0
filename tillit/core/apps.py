from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tillit.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from tillit.core import checks  # noqa: F401 (registers the deployment checks)
        from tillit.core.jobs import register_sweeper, sweep_report_batches

        # Belongs in the results app's AppConfig.ready; registered here while results is
        # edited elsewhere (the sweeper reaches ReportBatch by its label, not by import).
        register_sweeper("tillit.results.tasks.build_report_batch", sweep_report_batches)
