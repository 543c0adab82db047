"""Production deployment: no Docker engine runs here, so the compose file and the Dockerfile are
parsed and checked against what propserv/settings.py actually reads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")
# What settings must be given in production: without them it falls back to development values.
REQUIRED_IN_PRODUCTION = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def settings_env_names() -> set[str]:
    """Every environment variable settings.py reads: env("X"), env_bool("X"), env_list("X"),
    os.environ.get("X")."""
    source = (ROOT / "propserv" / "settings.py").read_text()
    names = set(re.findall(r"""\benv(?:_bool|_list)?\(\s*["']([A-Z0-9_]+)["']""", source))
    names |= set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z0-9_]+)["']""", source))
    return names


def interpolate(value: str, shell: dict[str, str]) -> str:
    """Compose's variable interpolation: ${X}, ${X:-default}, ${X:?error}, $$."""

    def sub(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if name in shell and shell[name] != "":
            return shell[name]
        if op == ":?":
            raise KeyError(f"{name} is required: {arg}")
        return arg or ""

    value = re.sub(r"\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}", sub, str(value))
    return value.replace("$$", "$")


def test_settings_env_scan_finds_the_known_variables(settings_env_names):
    # Guards the regex above: if it found nothing, the subset checks below would pass vacuously.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "DEBUG"} <= (
        settings_env_names
    )
    assert {"TIME_ZONE", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS"} <= settings_env_names


def test_services_and_images(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, "web, worker, beat and migrate must run the same image"
    for name in APP_SERVICES:
        assert services[name]["build"] == "."


def test_commands(compose):
    services = compose["services"]

    def argv(name: str) -> list[str]:
        command = services[name]["command"]
        return command.split() if isinstance(command, str) else [str(c) for c in command]

    assert argv("migrate")[:3] == ["python", "manage.py", "migrate"]
    assert argv("web")[:2] == ["gunicorn", "propserv.wsgi:application"]
    assert "python:propserv.gunicorn_conf" in argv("web")  # threaded workers, as `make run`
    assert "0.0.0.0:8000" in argv("web")
    assert argv("worker")[:4] == ["celery", "-A", "propserv", "worker"]
    assert argv("beat")[:4] == ["celery", "-A", "propserv", "beat"]
    # The one-shot migration must not be restarted once it has finished.
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"


def test_exactly_one_beat(compose):
    services = compose["services"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "scale" not in services["beat"]
    # No other service runs a beat (e.g. `worker -B`), or periodic tasks would run twice.
    for name, service in services.items():
        if name == "beat":
            continue
        command = service.get("command", [])
        words = command.split() if isinstance(command, str) else [str(c) for c in command]
        assert "beat" not in words and "-B" not in words and "--beat" not in words, name


def test_depends_on(compose):
    services = compose["services"]

    def deps(name: str) -> dict:
        return services[name]["depends_on"]

    assert deps("migrate")["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert deps(name)["db"]["condition"] == "service_healthy"
        assert deps(name)["redis"]["condition"] == "service_healthy"
        assert deps(name)["migrate"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in services["db"] and "healthcheck" in services["redis"]


def test_every_app_variable_is_read_by_settings(compose, settings_env_names):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        unknown = set(environment) - settings_env_names
        assert not unknown, f"{name} sets variables settings.py never reads: {sorted(unknown)}"


def test_production_variables_are_set_for_every_app_service(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        missing = REQUIRED_IN_PRODUCTION - set(environment)
        assert not missing, f"{name} lacks {sorted(missing)}"
        # The secret key has no default in compose: a deployment without one must fail to start.
        assert ":?" in environment["SECRET_KEY"]
        with pytest.raises(KeyError):
            interpolate(environment["SECRET_KEY"], {})
        assert interpolate(environment["DEBUG"], {}) == "false"


def test_email_and_time_zone_configurable(compose):
    environment = compose["services"]["worker"]["environment"]
    for variable in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        assert variable in environment
    assert interpolate(environment["TIME_ZONE"], {}) == "Asia/Shanghai"


def test_settings_accept_the_compose_environment(compose, tmp_path):
    """Load settings in a fresh interpreter with exactly the environment compose would give the web
    container, and check they point at the db and redis services."""
    shell = {
        "SECRET_KEY": "s3cret-for-the-test",
        "ALLOWED_HOSTS": "propserv.example.com,www.propserv.example.com",
        "POSTGRES_PASSWORD": "pg-pass",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "true",
    }
    environment = {
        key: interpolate(value, shell)
        for key, value in compose["services"]["web"]["environment"].items()
    }
    environment.update(
        PATH=os.environ.get("PATH", ""),
        DJANGO_SETTINGS_MODULE="propserv.settings",
        PROPSERV_VAR_DIR=str(tmp_path),  # no embedded.json there: only the environment counts
    )
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default'], 'cache': s.CACHES['default'], "
        "'broker': s.CELERY_BROKER_URL, 'hosts': s.ALLOWED_HOSTS, 'debug': s.DEBUG, "
        "'key': s.SECRET_KEY, 'tz': s.TIME_ZONE, 'email': [s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_USE_TLS, s.EMAIL_BACKEND]}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["db"]["HOST"] == "db" and loaded["db"]["NAME"] == "propserv"
    assert loaded["db"]["PASSWORD"] == "pg-pass"
    assert loaded["cache"]["LOCATION"] == "redis://redis:6379/0"
    assert loaded["broker"] == "redis://redis:6379/0"
    assert loaded["hosts"] == ["propserv.example.com", "www.propserv.example.com"]
    assert loaded["debug"] is False
    assert loaded["key"] == "s3cret-for-the-test"
    assert loaded["tz"] == "Asia/Shanghai"
    assert loaded["email"] == [
        "smtp.example.com",
        587,
        True,
        "django.core.mail.backends.smtp.EmailBackend",
    ]
    # The host names in the URLs are the compose services.
    assert {"db", "redis"} <= set(compose["services"])


def test_dockerfile(settings_env_names):
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [
        line.strip() for line in dockerfile.splitlines() if line.strip() and line[0] != "#"
    ]
    assert instructions[0] == "FROM python:3.11-slim"
    assert any(line.startswith("RUN pip install .") for line in instructions)
    assert "manage.py collectstatic --noinput" in dockerfile
    cmd = next(line for line in instructions if line.startswith("CMD "))
    assert json.loads(cmd[4:])[:2] == ["gunicorn", "propserv.wsgi:application"]
    assert "python:propserv.gunicorn_conf" in json.loads(cmd[4:])
    # ENV lines configure settings or Python/pip themselves, nothing settings would ignore.
    env_names = set(re.findall(r"^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=", dockerfile, re.MULTILINE))
    own = {n for n in env_names if not n.startswith(("PYTHON", "PIP_"))}
    assert {"STATIC_ROOT", "PROPSERV_VAR_DIR"} <= own
    assert own - {"SECRET_KEY"} <= settings_env_names
    # The image runs as an unprivileged user.
    assert any(line.startswith("USER ") and "root" not in line for line in instructions)


def test_dockerignore_keeps_local_state_out():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var", ".env"} <= ignored
