"""Settings for bench/submit.py only: Tillit's settings plus the baseline view's URL."""

from tillit.settings import *  # noqa: F403

ROOT_URLCONF = "bench.submit_urls"
