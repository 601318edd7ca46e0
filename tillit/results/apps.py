from django.apps import AppConfig


def _refresh(sender, campaign_id: int, stream: bool = False, **kwargs) -> None:
    from tillit.results.snapshot import answers_arrived, refresh_comparisons, refresh_results

    if stream:
        answers_arrived(campaign_id)
    else:  # imported, closed or reopened: later campaigns' trends may change too
        refresh_results(campaign_id)
        refresh_comparisons(campaign_id)


class ResultsConfig(AppConfig):
    name = "tillit.results"
    label = "results"

    def ready(self) -> None:
        from tillit.surveys.signals import answers_changed

        # Answers arrived or the campaign closed: the stored snapshot is recomputed in the
        # background, so pages read it instead of recomputing.
        answers_changed.connect(_refresh, dispatch_uid="results.refresh")
