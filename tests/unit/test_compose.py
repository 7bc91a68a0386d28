"""The production stack: docker-compose.yml, Dockerfile, .dockerignore and .env.example.

No Docker engine (nor `docker compose`) runs here, so the compose file is checked three ways:
its structure with PyYAML (always), Debian's `docker-compose` v1 schema when that tool is
installed, and the `compose-spec` parser when that package is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

CORE = {"postgres", "redis", "migrate", "worker", "scheduler"}
APP = ("migrate", "worker", "scheduler")
PASSTHROUGH = ("PERSONAE_LLM_BASE_URL", "OPENAI_API_KEY", "PERSONAE_LLM_MODEL")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}

_INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def _text() -> str:
    return COMPOSE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ``${VAR}`` / ``${VAR:-default}`` with the given environment (else defaults)."""
    env = env or {}
    return _INTERPOLATION.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)


# -- structure --------------------------------------------------------------------------------


def test_compose_specification_shape(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the Compose Specification has no top-level version"
    assert CORE <= set(compose["services"])
    allowed_top = {"name", "services", "volumes", "networks", "configs", "secrets", "include"}
    assert {k for k in compose if not k.startswith("x-")} <= allowed_top


def test_app_services_share_the_x_app_anchor() -> None:
    """migrate, worker and scheduler merge the very same ``x-app`` node (one image, one env)."""
    root = yaml.compose(_text())
    top = {key.value: value for key, value in root.value}
    anchor = top["x-app"]
    service_nodes = {key.value: value for key, value in top["services"].value}
    for name in APP:
        merged = [v for k, v in service_nodes[name].value if k.value == "<<"]
        assert merged and merged[0] is anchor, f"{name} must start with `<<: *app`"


def test_app_services_run_the_app_image_with_the_shared_environment(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    app = compose["x-app"]
    assert app["image"] == "personae:latest"
    assert app["build"] == {"context": "."} or app["build"] == "."
    for name in APP:
        svc = services[name]
        assert svc["image"] == app["image"] and svc["build"] == app["build"]
        assert svc["environment"] == app["environment"]


def test_commands_are_real_personae_subcommands(services: dict[str, dict[str, Any]]) -> None:
    import typer

    from bots.cli.main import app

    click_group = typer.main.get_command(app)
    known = set(click_group.commands)  # type: ignore[attr-defined]
    expected = {
        "migrate": ["personae", "migrate"],
        "worker": ["personae", "worker"],
        "scheduler": ["personae", "scheduler", "--interval", "5"],
    }
    for name, command in expected.items():
        assert services[name]["command"] == command
        assert command[1] in known, f"`personae {command[1]}` does not exist"


def test_worker_is_scalable(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert "scale" not in worker and "replicas" not in worker.get("deploy", {})


def test_dependencies_exist_and_are_ordered(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        depends = svc.get("depends_on", {})
        targets = depends if isinstance(depends, list) else list(depends)
        for target in targets:
            assert target in services, f"{name} depends on unknown service {target!r}"
            if isinstance(depends, dict):
                assert depends[target].get("condition", "service_started") in CONDITIONS
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"  # the string, not YAML's boolean `no`
    for name in ("worker", "scheduler"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
        }


def test_backing_services_have_healthchecks(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    postgres, redis = services["postgres"], services["redis"]
    assert postgres["image"] == "pgvector/pgvector:pg17"
    assert redis["image"] == "redis:7-alpine"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for name in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert re.fullmatch(r"\$\{" + name + r":-[^}]+\}", postgres["environment"][name])
    named_volumes = set(compose.get("volumes") or {})
    for svc in services.values():
        for volume in svc.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if not source.startswith((".", "/", "~")):
                assert source in named_volumes, f"volume {source!r} is not declared"
    assert any(str(v).startswith("postgres-data:") for v in postgres["volumes"])


def test_app_talks_to_the_stack_services(services: dict[str, dict[str, Any]]) -> None:
    from sqlalchemy.engine import make_url

    env = services["worker"]["environment"]
    pg_env = services["postgres"]["environment"]
    # Compose interpolates raw text: the password must be URL-safe (.env.example says so)
    custom = {"POSTGRES_USER": "u", "POSTGRES_PASSWORD": "Xy-9_z.~", "POSTGRES_DB": "d"}
    for host_env in ({}, custom):
        url = make_url(_interpolate(env["PERSONAE_DATABASE_URL"], host_env))
        assert url.drivername == "postgresql+psycopg"
        assert url.host == "postgres" and url.host in services and url.port == 5432
        assert url.username == _interpolate(pg_env["POSTGRES_USER"], host_env)
        assert url.password == _interpolate(pg_env["POSTGRES_PASSWORD"], host_env)
        assert url.database == _interpolate(pg_env["POSTGRES_DB"], host_env)
    redis_url = env["PERSONAE_REDIS_URL"]
    assert redis_url.startswith("redis://redis:6379/") and "redis" in services


def test_model_settings_pass_through_unset_when_absent(services: dict[str, dict[str, Any]]) -> None:
    """A bare key passes the host's value and leaves the variable unset otherwise: an empty
    string would override the model name default and give the client an empty base URL."""
    env = services["worker"]["environment"]
    for name in PASSTHROUGH:
        assert name in env and env[name] is None, name


def test_env_file_is_optional(compose: dict[str, Any]) -> None:
    env_file = compose["x-app"]["env_file"]
    assert env_file == [{"path": ".env", "required": False}]


def test_env_example_documents_every_variable() -> None:
    from engine.settings import Settings

    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.M))
    used = {m.group(1) for m in _INTERPOLATION.finditer(_text())} | set(PASSTHROUGH)
    assert used <= documented, used - documented
    fields = {f"PERSONAE_{name.upper()}" for name in Settings.model_fields} | {"OPENAI_API_KEY"}
    personae = {v for v in documented if v.startswith("PERSONAE_") or v == "OPENAI_API_KEY"}
    assert personae <= fields, personae - fields


def test_dockerfile_and_dockerignore() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in dockerfile.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert lines[-1] == 'CMD ["personae", "--help"]'
    assert "pip install --no-deps ." in dockerfile
    # the dependency layer comes before the source is copied
    assert dockerfile.index("COPY pyproject.toml") < dockerfile.index("COPY engine")
    ignored = {
        ln.strip() for ln in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.lstrip().startswith("#")
    }
    assert {".git", ".venv", ".env", "tests"} <= ignored
    assert not {"engine", "bots", "workers", "migrations", "pyproject.toml", "README.md"} & ignored


# -- real validators, when installed ----------------------------------------------------------


def test_docker_compose_v1_validates(compose: dict[str, Any], tmp_path: Path) -> None:
    """Debian's docker-compose 1.29 (``apt-get install docker-compose``) checks the file against
    its Compose Specification schema. That schema predates two Compose v2 features the file
    uses on purpose — top-level ``name`` and the optional ``env_file`` (``required: false``) —
    so exactly those two are reduced to v1 forms first; everything else is validated as is."""
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose (v1) is not installed")
    data = json.loads(json.dumps(compose))
    data.pop("name", None)
    data.pop("x-app", None)  # already merged into the services; keep the check on the services
    (tmp_path / ".env").write_text("", encoding="utf-8")
    for svc in data["services"].values():
        if "env_file" in svc:
            assert svc["env_file"] == [{"path": ".env", "required": False}]
            svc["env_file"] = ".env"
    target = tmp_path / "docker-compose.yml"
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    host_env = {"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "s3cret", "OPENAI_API_KEY": "sk-test"}
    result = subprocess.run(
        [exe, "-f", str(target), "--project-directory", str(tmp_path), "config"],
        capture_output=True, text=True, timeout=60, env=host_env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    worker_env = resolved["services"]["worker"]["environment"]
    assert worker_env["PERSONAE_DATABASE_URL"] == (
        "postgresql+psycopg://personae:s3cret@postgres:5432/personae"
    )
    assert worker_env["OPENAI_API_KEY"] == "sk-test"
    assert resolved["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == "s3cret"


def test_compose_spec_parser_accepts_the_file(compose: dict[str, Any]) -> None:
    """The ``compose-spec`` package (typed Compose Specification parser) when installed."""
    compose_spec = pytest.importorskip("compose_spec", reason="compose-spec is not installed")
    # it does not resolve YAML merge keys itself: hand it the merged document
    parsed = compose_spec.PyCompose.from_json(json.dumps(compose))
    assert CORE <= set(parsed.service_names())
    bad = json.loads(json.dumps(compose))
    bad["services"]["worker"]["depends_on"]["redis"]["condition"] = "service_ready"
    with pytest.raises(ValueError):
        compose_spec.PyCompose.from_json(json.dumps(bad))
