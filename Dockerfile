# PropServ production image: gunicorn (web), Celery worker and Celery beat all run from it.
# Build:   docker build -t propserv .
# Run:     docker compose up -d   (see docker-compose.yml; configuration is by environment only)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (pinned in pyproject.toml), so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected into the image and served by WhiteNoise from STATIC_ROOT.
ENV PROPSERV_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    WHITENOISE_USE_FINDERS=false
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
    && useradd --system --uid 10001 --home-dir /app propserv \
    && mkdir -p /app/var/media \
    && chown -R propserv /app/var

USER propserv
EXPOSE 8000

# docker-compose.yml overrides the command for the worker, beat and migrate services.
CMD ["gunicorn", "propserv.wsgi:application", "--config", "python:propserv.gunicorn_conf", "--bind", "0.0.0.0:8000"]
