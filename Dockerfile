# The image compose runs for web, worker, beat and the one-off migrate step.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends \
      gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core libmagic1 \
      tesseract-ocr tesseract-ocr-vie \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements/base.lock requirements/
RUN pip install --no-cache-dir -r requirements/base.lock \
    && pip install --no-cache-dir --no-deps -e .
COPY . .
# Static files are collected with the settings that serve them (production: hashed
# names and a manifest). The build-time key only lets the settings load; it is never
# used at runtime, where SECRET_KEY comes from the environment.
RUN SECRET_KEY=build-time-only-collectstatic-key-never-used-at-runtime \
      python manage.py compilemessages --ignore=.venv -v0 \
    && SECRET_KEY=build-time-only-collectstatic-key-never-used-at-runtime \
      python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 --home /app sangkien \
    && mkdir -p /data/media \
    && chown -R sangkien /app/var /data/media
USER sangkien
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
