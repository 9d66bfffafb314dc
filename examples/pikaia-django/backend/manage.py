#!/usr/bin/env python
"""Django's command-line utility (stand-in): `python manage.py migrate --noinput` is the migration task's command."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
