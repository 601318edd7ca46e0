"""WSGI entry point (gunicorn tillit.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.settings")
application = get_wsgi_application()
