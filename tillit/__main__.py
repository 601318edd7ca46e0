"""The `tillit` command: Django's manage.py under the product's name."""

import os
import sys


def main() -> None:
    """Run a management command; `import-org` and `import_org` are the same command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "tillit"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
