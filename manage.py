#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Defaults to the laptop settings; production sets DJANGO_SETTINGS_MODULE (compose does).
"""

import sys


def main() -> None:
    from config.settings import DEVELOPMENT, choose

    choose(DEVELOPMENT)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
