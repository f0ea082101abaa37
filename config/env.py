"""The one place that reads the environment (django-environ).

Every setting that differs between a laptop, CI and production comes from here,
so the settings modules never call os.environ themselves.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
