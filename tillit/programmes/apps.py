from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "tillit.programmes"
    label = "programmes"

    def ready(self) -> None:
        from tillit.core import jobs
        from tillit.programmes.mailing import run_action_reminders

        jobs.register_periodic("programmes.action_reminders", run_action_reminders)

        from tillit.core.nextsteps import register
        from tillit.programmes.nextsteps import actions_due, workshops_today

        register(workshops_today)
        register(actions_due)
