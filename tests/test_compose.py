"""docker-compose.yml and deploy/ agree with the project: versions pinned in requirements.txt, the
settings bot.endpoints_config expects, nginx in front, the HTTP API only with a token.

There is no Docker engine here. `docker compose config`, or Debian's `docker-compose config`
(Compose v1.29, which scripts/test-services.sh installs), checks the file; where neither is
installed, that test is skipped with a message and the file is read with PyYAML for the rest. nginx.conf is checked with `nginx -t`
where nginx is installed, with the compose host names pointed at loopback.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.endpoints_config import TRACKER_STORE, build
from tests.servers import ROOT

COMPOSE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"
RASA_SERVERS = ("rasa-1", "rasa-2")
SECRET_ENV = {"POSTGRES_PASSWORD": "compose-test-password", "RASA_API_TOKEN": "compose-test-token"}


def pins() -> dict:
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line.strip())
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def substitute(value, env: dict):
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, enough for this file."""
    if isinstance(value, dict):
        return {k: substitute(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match):
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg

    return re.sub(r"\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}", one, value)


@pytest.fixture(scope="module")
def compose():
    return substitute(yaml.safe_load(COMPOSE.read_text()), SECRET_ENV)


def compose_cli():
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return [shutil.which("docker-compose")]
    return None


def test_docker_compose_config_accepts_the_file():
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither the docker compose plugin nor docker-compose is installed: "
                    "the file is checked with PyYAML by the other tests here")
    result = subprocess.run([*cli, "-f", str(COMPOSE), "config", "--quiet"], cwd=ROOT, capture_output=True,
                            text=True, env=dict(os.environ, **SECRET_ENV), timeout=60)
    assert result.returncode == 0, result.stderr
    missing = subprocess.run([*cli, "-f", str(COMPOSE), "config", "--quiet"], cwd=ROOT, capture_output=True,
                             text=True, env={k: v for k, v in os.environ.items() if k not in SECRET_ENV},
                             timeout=60)
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr, "the password must be required"


def test_every_part_of_the_stack_is_there(compose):
    services = compose["services"]
    assert set(services) >= {*RASA_SERVERS, "actions", "postgres", "redis", "nginx"}
    # Only the proxy is published: one address for the bot, nothing else reachable from outside.
    assert [name for name, service in services.items() if service.get("ports")] == ["nginx"]


def test_images_match_the_pinned_versions(compose):
    versions = pins()
    services = compose["services"]
    dockerfiles = {"rasa": f"rasa/rasa:{versions['rasa']}", "actions": f"rasa/rasa-sdk:{versions['rasa-sdk']}"}
    expected = [(server, dockerfiles["rasa"]) for server in RASA_SERVERS] + [("actions", dockerfiles["actions"])]
    for name, image in expected:
        dockerfile = ROOT / services[name]["build"]["context"] / services[name]["build"]["dockerfile"]
        assert re.search(rf"^FROM {re.escape(image)}\s*$", dockerfile.read_text(), re.M), (name, image)
    rasa_dockerfile = (DEPLOY / "rasa.Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in rasa_dockerfile  # spaCy etc. as pinned
    assert f"pyyaml=={versions['pyyaml']}" in (DEPLOY / "actions.Dockerfile").read_text()
    # PostgreSQL and Redis majors as tested here (Debian bookworm: PostgreSQL 15, Redis 7).
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["nginx"]["image"].startswith("nginx:")


def test_rasa_servers_share_postgres_and_redis_as_the_generator_expects(compose, tmp_path):
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    for name in RASA_SERVERS:
        env = services[name]["environment"]
        config = build(env, tmp_path).config
        assert config["tracker_store"] == {"type": TRACKER_STORE, "dialect": "postgresql", "url": "${DB_URL}",
                                           "db": postgres["POSTGRES_DB"]}
        assert env["DB_URL"] == (f"postgresql://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
                                 f"@postgres:5432/{postgres['POSTGRES_DB']}")
        assert config["lock_store"]["url"] == "redis" and config["lock_store"]["port"] == 6379
        assert config["lock_store"]["type"] == "bot.stores.redis_lock.AtomicRedisLockStore"
        assert config["action_endpoint"]["url"] == "http://actions:5055/webhook"
        assert env["RASA_TELEMETRY_ENABLED"] == "false"
        assert set(services[name]["depends_on"]) >= {"postgres", "redis", "actions"}
    assert services[RASA_SERVERS[0]]["environment"] == services[RASA_SERVERS[1]]["environment"]


def test_secrets_come_from_the_environment_only():
    raw = yaml.safe_load(COMPOSE.read_text())
    postgres = raw["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert raw["x-rasa-server"]["environment"]["RASA_API_TOKEN"] == "${RASA_API_TOKEN:-}"
    for name, value in raw["x-rasa-server"]["environment"].items():
        if any(word in name for word in ("TOKEN", "SECRET", "PASSWORD")):
            assert str(value).startswith("${"), name


def test_the_http_api_needs_a_token_in_the_containers_too():
    entrypoint = (DEPLOY / "rasa-entrypoint.sh").read_text()
    enabling = [line for line in entrypoint.splitlines() if "--enable-api" in line]
    assert enabling and all('--auth-token "$RASA_API_TOKEN"' in line for line in enabling)
    assert 'if [ -n "${RASA_API_TOKEN:-}" ]' in entrypoint
    assert "python -m bot.endpoints_config --output" in entrypoint
    assert "--enable-api" not in COMPOSE.read_text()


def test_the_entrypoint_is_a_valid_shell_script():
    assert subprocess.run(["sh", "-n", str(DEPLOY / "rasa-entrypoint.sh")]).returncode == 0


def test_body_limits_agree(compose):
    limit = int(compose["services"]["rasa-1"]["environment"]["SANIC_REQUEST_MAX_SIZE"])
    match = re.search(r"client_max_body_size\s+(\d+)([km]?);", (DEPLOY / "nginx.conf").read_text())
    size = int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]
    assert size == limit
    assert "SANIC_REQUEST_MAX_SIZE" not in compose["services"]["actions"].get("environment", {})
    assert compose["services"]["actions"]["environment"]["SANIC_KEEP_ALIVE_TIMEOUT"] == "60"


def test_nginx_sends_to_every_rasa_server_and_keeps_socketio_sticky():
    conf = (DEPLOY / "nginx.conf").read_text()
    for upstream in ("rasa", "rasa_sticky"):
        body = re.search(rf"upstream {upstream} \{{(.*?)\}}", conf, re.S).group(1)
        assert sorted(re.findall(r"server (\S+?):5005", body)) == sorted(RASA_SERVERS), upstream
    assert "ip_hash;" in re.search(r"upstream rasa_sticky \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"location /socket.io/ \{[^}]*proxy_pass http://rasa_sticky;", conf)
    assert re.search(r"location / \{[^}]*proxy_pass http://rasa;", conf)


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx): its syntax check is skipped")
    conf = (DEPLOY / "nginx.conf").read_text()
    for name in RASA_SERVERS:
        conf = conf.replace(f"{name}:5005", "127.0.0.1:5005")
    conf = conf.replace("listen 80;", "listen 127.0.0.1:8080;").replace("access_log /dev/stdout;", "access_log off;")
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\n" + conf)
    (tmp_path / "logs").mkdir()
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-g", f"error_log {tmp_path}/logs/error.log;"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_images_get_only_what_they_need():
    for dockerfile in ("rasa.Dockerfile", "actions.Dockerfile"):
        ignore = (DEPLOY / f"{dockerfile}.dockerignore").read_text().splitlines()
        assert "*" in ignore  # everything out, then only what the image copies back in
        copied = re.findall(r"^COPY (\S+)", (DEPLOY / dockerfile).read_text(), re.M)
        allowed = [line[1:].rstrip("/") for line in ignore if line.startswith("!")]
        for source in copied:
            assert source.rstrip("/") in allowed, (dockerfile, source)
            assert (ROOT / source).exists() or source.startswith("models/"), source
