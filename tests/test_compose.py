"""docker-compose.yml and .docker/Dockerfile (Docker itself cannot run here): the services exist,
the app containers set only variables config.py reads, and the worker serves every queue in use."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from tests.config_reading import ROOT, config_variables

APP_SERVICES = ("web", "worker", "money-worker")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else shlex.join(command)


def test_config_variables_are_found():
    found = config_variables()
    assert {"APP_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "INSTANCE_PATH", "JOB_RETRY_INTERVALS"} <= found


def test_every_service_exists(compose):
    assert {"web", "worker", "postgres", "redis", "minio", "createbuckets", "mailpit"} <= set(compose["services"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_containers_set_only_variables_config_reads(compose, name):
    environment = compose["services"][name]["environment"]
    assert isinstance(environment, dict)
    unknown = set(environment) - config_variables()
    assert not unknown, f"{name} sets variables config.py never reads: {sorted(unknown)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_containers_use_the_production_adapters(compose, name):
    env = compose["services"][name]["environment"]
    assert env["APP_ENV"] == "production"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # compose refuses to start without it
    assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert (env["STORAGE_BACKEND"], env["S3_ENDPOINT_URL"]) == ("s3", "http://minio:9000")
    assert (env["MAIL_BACKEND"], env["SMTP_HOST"], env["SMTP_PORT"]) == ("smtp", "mailpit", "1025")
    assert compose["services"][name]["build"]["dockerfile"] == ".docker/Dockerfile"


def test_mail_links_and_trusted_hosts_are_set_and_the_healthcheck_host_is_trusted(compose):
    env = compose["services"]["web"]["environment"]
    assert env["PUBLIC_BASE_URL"] == "${PUBLIC_BASE_URL:-http://localhost:8000}"  # required in production
    hosts = env["TRUSTED_HOSTS"].removeprefix("${TRUSTED_HOSTS:-").removesuffix("}").split(",")
    assert {"localhost", "127.0.0.1", "web"} <= set(hosts)
    assert "http://127.0.0.1:8000/readyz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_web_runs_gunicorn_with_its_config_file_on_wsgi_app(compose):
    web = compose["services"]["web"]
    assert _command(web) == "gunicorn -c gunicorn.conf.py wsgi:app"  # no flag overrides the config file
    assert "8000:8000" in web["ports"]
    assert "/readyz" in " ".join(web["healthcheck"]["test"])


def test_the_gunicorn_config_binds_the_published_port_with_threads(monkeypatch):
    import runpy

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/nonexistent")  # the config sets it: undone after the test
    monkeypatch.setenv("STREAM_CAP", "")  # the config sets it too: so it is gone again after the test
    monkeypatch.delenv("STREAM_CAP")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "0.0.0.0:8000"
    assert (settings["worker_class"], settings["max_requests"]) == ("gthread", 0)
    assert settings["threads"] > 1


def test_queue_metrics_cover_every_queue_the_worker_serves(compose):
    from app.core.queue_metrics import QUEUES

    assert set(_queues(_worker_argv(compose))) == set(QUEUES)


RQ_OPTIONS_WITH_VALUES = {"--url", "-c", "-w", "--job-monitoring-interval", "--maintenance-interval"}


def _worker_argv(compose, name: str = "worker") -> list[str]:
    """The rq command line the worker's shell runs (compose turns $$ into $)."""
    command = compose["services"][name]["command"]
    assert command[:2] == ["sh", "-c"]
    return shlex.split(command[2].replace("$$", "$"))


def _queues(argv: list[str]) -> list[str]:
    """The queue names at the end of an rq worker command line, in the order rq serves them."""
    queues, skip = [], False
    for arg in argv[3:]:
        if skip:
            skip = False
        elif arg in RQ_OPTIONS_WITH_VALUES:
            skip = True
        elif not arg.startswith("-"):
            queues.append(arg)
    return queues


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_worker_runs_rq_with_scheduler_on_every_queue_money_first(compose):
    from app.core.queue_metrics import MONEY_QUEUES, QUEUES

    argv = _worker_argv(compose)
    assert argv[:4] == ["exec", "rq", "worker", "--with-scheduler"]
    assert (_option(argv, "--url"), _option(argv, "-c")) == ("$REDIS_URL", "workers.rq_settings")
    assert _queues(argv) == list(QUEUES)
    assert _queues(argv)[: len(MONEY_QUEUES)] == list(MONEY_QUEUES)
    assert _queues(argv).index("payments") < _queues(argv).index("mail")


def test_a_money_worker_serves_only_the_money_queues(compose):
    from app.core.queue_metrics import MONEY_QUEUES

    argv = _worker_argv(compose, "money-worker")
    assert _queues(argv) == list(MONEY_QUEUES)
    assert "--with-scheduler" not in argv  # one scheduler, in `worker`
    assert (_option(argv, "--url"), _option(argv, "-c")) == ("$REDIS_URL", "workers.rq_settings")


@pytest.mark.parametrize("name", ["worker", "money-worker"])
def test_abandoned_jobs_are_found_within_a_minute(compose, name):
    from workers.rq_worker import HEARTBEAT_INTERVALS

    argv = _worker_argv(compose, name)
    assert _option(argv, "-w") == "workers.rq_worker.PromptRecoveryWorker"
    heartbeat = int(_option(argv, "--job-monitoring-interval")) * HEARTBEAT_INTERVALS
    assert heartbeat + int(_option(argv, "--maintenance-interval")) <= 30


def test_worker_serves_every_queue_the_code_enqueues_to(compose):
    served = set(_queues(_worker_argv(compose)))
    used = set()
    for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("workers/**/*.py")]:
        text = path.read_text()
        used |= set(re.findall(r'queue="([a-z_]+)"', text)) | set(re.findall(r'^\w*QUEUE = "([a-z_]+)"', text, re.M))
    assert "mail" in used
    assert used <= served, f"no worker listens on {sorted(used - served)}"


def test_bucket_is_created_once_and_private(compose):
    job = compose["services"]["createbuckets"]
    script = " ".join(job["entrypoint"])
    assert "mc mb --ignore-existing local/coach-connect" in script and "mc anonymous set none" in script
    assert job["depends_on"]["minio"]["condition"] == "service_healthy"
    web_needs = compose["services"]["web"]["depends_on"]
    assert web_needs["createbuckets"]["condition"] == "service_completed_successfully"
    assert web_needs["postgres"]["condition"] == web_needs["redis"]["condition"] == "service_healthy"
    bucket = compose["services"]["web"]["environment"]["S3_BUCKET"]
    assert f"local/{bucket}" in script


def test_dockerfile_builds_from_the_lock_file_and_migrates_on_start():
    dockerfile = (ROOT / ".docker" / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "\nFROM python:3.11-slim\n" in dockerfile
    assert "pip install -r requirements.lock" in dockerfile  # the whole tree, pinned
    assert "FLASK_APP=wsgi.py" in dockerfile and "USER app" in dockerfile
    entrypoint = (ROOT / ".docker" / "entrypoint.sh").read_text()
    assert "flask db upgrade" in entrypoint and 'exec "$@"' in entrypoint
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "instance", ".env"} <= set(ignored)


def test_the_image_installs_tesseract_for_scanned_certificates():
    dockerfile = (ROOT / ".docker" / "Dockerfile").read_text()
    assert "apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng" in dockerfile


RAN: list[str] = []


def note_job(tag: str) -> None:
    """A job that notes the order it ran in (SimpleWorker runs it in this process)."""
    RAN.append(tag)


def test_a_payment_behind_a_mail_backlog_runs_first(compose, redis_url):
    """Issue 16, 7: with mail served first, a payment waited behind every queued mail."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(redis_url)
    connection.flushdb()
    queues = {name: Queue(name, connection=connection) for name in _queues(_worker_argv(compose))}
    for i in range(20):
        queues["mail"].enqueue(note_job, f"mail-{i}")
    queues["webhooks"].enqueue(note_job, "webhook")
    queues["payments"].enqueue(note_job, "payment")
    RAN.clear()
    SimpleWorker(list(queues.values()), connection=connection).work(burst=True)
    assert RAN[:2] == ["webhook", "payment"] and len(RAN) == 22
    connection.flushdb()
