"""The two bots the benchmark compares, their conversation stores, training, and starting them.

- ours: the model `make run` serves (copied once per benchmark, so that a `make train` elsewhere
  during the run cannot change it between rounds), our action server, the channels file serve.sh
  writes (bot.channels.config), the settings serve.sh gives each server;
- stock: the project `rasa init` writes, trained here; served with the very same launcher and
  settings (its flows call no custom action, but its action server runs too, so the memory columns
  compare like with like).

Stores, the same for both sides so that a difference is the bot's and not the store's:
- "sqlite": a fresh SQLite file per run, prepared by bot.endpoints_config as `make run` prepares
  var/conversations.db (write-ahead log), for stock as for ours;
- "memory": no tracker_store in the endpoints file, Rasa's in-memory store (what `rasa init` uses);
- "postgres": a PostgreSQL database and a Redis lock store shared by several Rasa servers (--servers).

Servers start as serve.sh starts them: the action server, and once it answers /health, the Rasa
server(s). The Rasa server's "start until first answer" is timed from its own launch, with its
action server already up: "the Rasa server alone".
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from bot.endpoints_config import build, render
from measure import loadtest
from measure.processes import BIN, OUT, ROOT, Process, env, stop_all, wait_for_answer, wait_for_health
from tests.servers import free_port
from tests.stack import ACTION_SERVER_ENV

MODEL = ROOT / "models" / "bpo-careers.tar.gz"
# serve.sh gives the Rasa server this limit; both sides get it so that the launch is the same.
RASA_SERVER_ENV = {"SANIC_REQUEST_MAX_SIZE": "65536"}


@dataclass
class Bot:
    name: str
    folder: Path  # project folder: where `rasa train` and `rasa run actions` run
    model: Path  # the model served
    credentials: Path
    scripts: loadtest.ScriptMaker
    trained: Optional[Path] = None  # where training from scratch writes (never models/)


@dataclass
class Store:
    kind: str  # "sqlite", "memory" or "postgres"
    db_url: str = ""  # "postgres": the database URL (a fresh database per run)
    redis_url: str = ""


@dataclass
class Servers:
    actions: Process
    rasa: List[Process]
    urls: List[str]
    rasa_alone_s: float  # launch of the Rasa server(s) until the first answer (the slowest of them)
    total_s: float  # launch of the action server until that answer: serve.sh's two steps, done here
    store_file: Optional[Path] = None

    @property
    def all(self) -> List[Process]:
        return [self.actions, *self.rasa]

    def stop(self) -> None:
        stop_all(self.all)


def our_bot() -> Bot:
    OUT.mkdir(parents=True, exist_ok=True)
    if not MODEL.exists():
        raise SystemExit(f"error: {MODEL} is missing: run `make train` first")
    served = OUT / "ours-served.tar.gz"
    shutil.copyfile(MODEL, served)
    credentials = OUT / "credentials-ours.yml"
    # The channels file serve.sh writes (REST, web chat, socket.io; Slack/Telegram only when set).
    subprocess.run([str(BIN / "python"), "-m", "bot.channels.config", "--out", str(credentials)],
                   cwd=ROOT, env=env(), check=True, capture_output=True, timeout=120)
    return Bot("ours", ROOT, served, credentials, loadtest.project_scripts, trained=OUT / "models")


def stock_bot() -> Bot:
    folder = OUT / "stock"
    if not (folder / "domain.yml").exists():
        with warnings.catch_warnings():  # Rasa's scaffold imports pkg_resources, which warns on import
            warnings.simplefilter("ignore")
            from rasa.cli.scaffold import create_initial_project

        create_initial_project(str(folder))
    model = folder / "models" / "bench-stock.tar.gz"
    return Bot("stock", folder, model, folder / "credentials.yml", loadtest.stock_scripts, trained=model.parent)


def train(bot: Bot) -> float:
    """Seconds to train `bot` from scratch: a fresh, empty Rasa cache, `--force`."""
    cache = Path(tempfile.mkdtemp(prefix=f"bench-cache-{bot.name}-"))
    log = OUT / f"train-{bot.name}.log"
    try:
        started = time.perf_counter()
        result = subprocess.run(
            [str(BIN / "rasa"), "train", "--force", "--out", str(bot.trained), "--fixed-model-name",
             f"bench-{bot.name}"], cwd=bot.folder, env=env(RASA_CACHE_DIRECTORY=str(cache)),
            capture_output=True, text=True, timeout=1800)
        elapsed = time.perf_counter() - started
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        raise RuntimeError(f"training {bot.name} failed; see {log}")
    return elapsed


def fresh_sqlite(label: str) -> Path:
    store = OUT / "stores" / f"{label}.db"
    store.parent.mkdir(parents=True, exist_ok=True)
    for stale in store.parent.glob(f"{label}.db*"):  # the file and its -wal / -shm companions
        stale.unlink()
    return store


def endpoints_file(label: str, store: Store, actions_port: int) -> Tuple[Path, Optional[Path]]:
    """The endpoints file of one run, and the SQLite file it names (None for the other stores)."""
    action_url = f"http://127.0.0.1:{actions_port}/webhook"
    sqlite = None
    if store.kind == "memory":
        text = f"action_endpoint:\n  url: {action_url}\n"
    elif store.kind == "sqlite":
        sqlite = fresh_sqlite(label)
        text = render(build({"ACTION_SERVER_URL": action_url, "DB_URL": f"sqlite:///{sqlite}"}, ROOT))
    else:
        text = render(build({"ACTION_SERVER_URL": action_url, "DB_URL": store.db_url,
                             "REDIS_URL": store.redis_url}, ROOT))
    path = OUT / f"endpoints-{label}.yml"
    path.write_text(text, encoding="utf-8")
    return path, sqlite


def start(bot: Bot, store: Store, label: str, servers: int = 1) -> Servers:
    """The action server, then (once it answers) `servers` Rasa servers, each timed to its first answer."""
    actions_port = free_port()
    endpoints, sqlite = endpoints_file(label, store, actions_port)
    actions = Process(f"{label}-actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                           "--port", str(actions_port)], bot.folder, env(**ACTION_SERVER_ENV))
    started: List[Process] = [actions]
    try:
        wait_for_health(f"http://127.0.0.1:{actions_port}/health", [actions])
        rasa, urls = [], []
        rasa_env = dict(RASA_SERVER_ENV, **({"DB_URL": store.db_url} if store.kind == "postgres" else {}))
        launched = time.perf_counter()
        for index in range(servers):
            port = free_port()
            name = f"{label}-rasa" + (f"-{index + 1}" if servers > 1 else "")
            rasa.append(Process(name, [str(BIN / "rasa"), "run", "--model", str(bot.model), "--port", str(port),
                                       "--interface", "127.0.0.1", "--credentials", str(bot.credentials),
                                       "--endpoints", str(endpoints)], bot.folder, env(**rasa_env)))
            started.append(rasa[-1])
            urls.append(f"http://127.0.0.1:{port}")
        alone = max(wait_for_answer(url, started, launched) for url in urls)
        return Servers(actions, rasa, urls, alone, alone + launched - actions.started, sqlite)
    except BaseException:
        stop_all(started)
        raise


def make_run_start(label: str, limit: float = 600) -> float:
    """Seconds from launching scripts/serve.sh (what `make run` runs once the model is trained) until
    the answer to a first message sent when serve.sh says "open ... to chat", as a person typing
    `make run` sees it: the channels and endpoints files written, the action server, the Rasa server,
    serve.sh's own checks (every second), one turn. Conversations go to a fresh SQLite file, as
    var/conversations.db on a first run."""
    rasa_port, actions_port = free_port(), free_port()
    sqlite = fresh_sqlite(label)
    serve = Process(label, [str(ROOT / "scripts" / "serve.sh"), str(OUT / "ours-served.tar.gz")], ROOT,
                    env(RASA_PORT=str(rasa_port), ACTIONS_PORT=str(actions_port), DB_URL=f"sqlite:///{sqlite}",
                        ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook"))
    try:
        deadline = time.monotonic() + limit
        while "to chat" not in serve.log.read_text(errors="replace"):
            serve.check()
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve.sh did not say it was up within {limit} s:\n{serve.log.read_text()[-3000:]}")
            time.sleep(0.05)
        return wait_for_answer(f"http://127.0.0.1:{rasa_port}", [serve], serve.started)
    finally:
        serve.stop()


@dataclass
class Variant:
    """One column of the page: a bot on a store (on `servers` Rasa servers)."""
    bot: Bot
    store: Store
    servers: int = 1
    label: str = field(default="")

    def __post_init__(self) -> None:
        self.label = self.label or f"{self.bot.name}-{self.store.kind}" + (
            f"-{self.servers}-servers" if self.servers > 1 else "")
