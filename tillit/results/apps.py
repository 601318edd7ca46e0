from django.apps import AppConfig


def _refresh(sender, campaign_id: int, stream: bool = False, **kwargs) -> None:
    from tillit.results.refreshing import answers_arrived, refresh_comparisons, refresh_results

    if stream:
        answers_arrived(campaign_id)
    else:  # imported, closed or reopened: later campaigns' trends may change too
        refresh_results(campaign_id)
        refresh_comparisons(campaign_id)


def _freeze(sender, campaign, **kwargs) -> None:
    from tillit.results.ledger import freeze_setup

    freeze_setup(campaign)


class ResultsConfig(AppConfig):
    name = "tillit.results"
    label = "results"

    def ready(self) -> None:
        from tillit.core.nextsteps import register
        from tillit.results.nextsteps import new_results
        from tillit.results.publishing import live_rates
        from tillit.surveys.participation import register_rates
        from tillit.surveys.signals import answers_changed, campaign_launched

        register(new_results)
        # The campaign page's response rates are this app's participation publication.
        register_rates(live_rates)
        # Answers arrived or the campaign closed: the stored snapshot is recomputed in the
        # background, so pages read it instead of recomputing.
        answers_changed.connect(_refresh, dispatch_uid="results.refresh")
        # The tree, thresholds and mode every publication of the campaign is made on.
        campaign_launched.connect(_freeze, dispatch_uid="results.freeze")
