"""A team tracking server in one folder: PostgreSQL for runs and the registry, MLflow serving the artifacts.

`start(DIR)` initialises a PostgreSQL cluster in `DIR/postgres` on first use, starts it on a free loopback
port, then starts `mlflow server` on 127.0.0.1 with a `postgresql+psycopg2://` store, artifacts proxied into
`DIR/artifacts` and job execution off (2 processes instead of ~10). `stop(DIR)` stops MLflow by its process
group and PostgreSQL with `pg_ctl` (then its process group), `status(DIR)` says what runs.

PostgreSQL refuses to run as root. When started as root (as CI is), the cluster runs as an unprivileged
system user: `postgres` when it exists, else `nlpkit-db`, created with `useradd --system`. The database
password is random, kept in `DIR/server.json` (mode 600) and handed to MLflow through the environment, so
it never shows on a command line.
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nlpkit.errors import TrackingError
from nlpkit.tracking.processes import (
    READY_TIMEOUT,
    answers,
    free_port,
    group_members,
    group_runs,
    port_is_free,
    stop_group,
    wait_until_ready,
)

__all__ = ["ServerError", "ServerState", "start", "stop", "status", "find_pg_bin", "port_is_free", "DEFAULT_PORT"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 5000
HOST = "127.0.0.1"
DB_NAME = "mlflow"
DB_USER = "mlflow"
ADMIN_USER = "admin"
SYSTEM_USER = "nlpkit-db"
_PG_SEARCH = (
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/usr/local/pgsql/bin",
    "/opt/homebrew/opt/postgresql*/bin",
)


class ServerError(TrackingError):
    """The team server could not be started, stopped or inspected."""


@dataclass
class ServerState:
    """What `start` wrote to `DIR/server.json`: enough for `stop` and `status` from another process."""

    dir: str
    port: int
    pg_port: int
    password: str
    os_user: str | None = None
    mlflow_pgid: int | None = None
    started_at: float = 0.0
    start_seconds: float = 0.0
    workers: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def tracking_uri(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def auth(self) -> bool:
        """True when MLflow runs its basic-auth app (users and permissions)."""
        return bool(self.extra.get("auth"))

    @property
    def store_uri(self) -> str:
        """The backend store without the password (psycopg2 reads PGPASSWORD)."""
        return f"postgresql+psycopg2://{DB_USER}@{HOST}:{self.pg_port}/{DB_NAME}"


def find_pg_bin() -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`: PG_BIN, then PATH, then the usual install places."""
    import glob

    candidates = [os.environ["PG_BIN"]] if os.environ.get("PG_BIN") else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for pattern in _PG_SEARCH:
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    for folder in candidates:
        if all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _state_path(directory: Path) -> Path:
    return directory / "server.json"


def _read_state(directory: Path) -> ServerState | None:
    path = _state_path(directory)
    if not path.is_file():
        return None
    return ServerState(**json.loads(path.read_text()))


def _write_state(state: ServerState) -> None:
    path = _state_path(Path(state.dir))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _os_user() -> str | None:
    """None when not root (PostgreSQL runs as us); else an unprivileged system user, created if needed."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", SYSTEM_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    useradd = shutil.which("useradd")
    if not useradd:
        raise ServerError(f"running as root and no unprivileged user for PostgreSQL: create one named {SYSTEM_USER}")
    log.info("creating system user %s to run PostgreSQL (it refuses to run as root)", SYSTEM_USER)
    _run([useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER], "useradd")
    return SYSTEM_USER


def _as_user(user: str | None, command: list[str]) -> list[str]:
    if user is None:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user, "--", *command]
    return ["su", "-s", "/bin/sh", user, "-c", " ".join(_quote(part) for part in command)]


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def _run(command: list[str], what: str, env: dict | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ServerError(f"{what} failed: {detail[-1] if detail else f'exit code {result.returncode}'}")
    return result.stdout


def _give_to(user: str | None, *paths: Path) -> None:
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _check_reachable(user: str | None, directory: Path) -> None:
    """The database user must be able to reach DIR (a root-only parent such as a 0700 temp folder is not)."""
    if user is None:
        return
    result = subprocess.run(_as_user(user, ["test", "-x", str(directory)]), capture_output=True)
    if result.returncode != 0:
        raise ServerError(
            f"PostgreSQL runs as the unprivileged user {user}, who cannot reach {directory}: "
            "choose a folder whose parents are world-traversable (chmod o+x), e.g. under /srv or /var/tmp"
        )


def _postgres_running(pg_bin: Path, user: str | None, data: Path) -> bool:
    if not (data / "PG_VERSION").is_file():
        return False
    return (
        subprocess.run(
            _as_user(user, [str(pg_bin / "pg_ctl"), "-D", str(data), "status"]), capture_output=True
        ).returncode
        == 0
    )


def _init_postgres(pg_bin: Path, user: str | None, directory: Path, password: str) -> None:
    data = directory / "postgres"
    data.mkdir(mode=0o700)
    _give_to(user, data)
    pwfile = directory / ".pgpass-init"
    pwfile.write_text(password + "\n")
    os.chmod(pwfile, 0o600)
    _give_to(user, pwfile)
    try:
        _run(
            _as_user(
                user,
                [
                    str(pg_bin / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    DB_USER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ],
            ),
            "initdb",
        )
    finally:
        pwfile.unlink(missing_ok=True)


def _start_postgres(pg_bin: Path, user: str | None, directory: Path, pg_port: int) -> None:
    data = directory / "postgres"
    logs = directory / "logs"
    socket_dir = directory / "run"
    for folder in (logs, socket_dir):
        folder.mkdir(exist_ok=True)
        _give_to(user, folder)
    options = f"-c listen_addresses={HOST} -p {pg_port} -c unix_socket_directories={socket_dir}"
    _run(
        _as_user(
            user,
            [
                str(pg_bin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(logs / "postgres.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        ),
        "starting PostgreSQL",
    )


def _ensure_database(state: ServerState) -> None:
    import psycopg2

    connection = psycopg2.connect(
        host=HOST, port=state.pg_port, user=DB_USER, password=state.password, dbname="postgres"
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        connection.close()


def _auth_config(state: ServerState, directory: Path) -> Path:
    """DIR/auth.ini for MLflow's basic-auth app: users in DIR/auth.db, READ for everyone by default."""
    path = directory / "auth.ini"
    path.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{directory / 'auth.db'}\n"
        f"admin_username = {ADMIN_USER}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    os.chmod(path, 0o600)
    users = directory / "auth.db"  # password hashes: created private before MLflow opens it, kept private after
    os.close(os.open(users, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))
    os.chmod(users, 0o600)
    return path


def _is_our_mlflow(pgid: int) -> bool:
    """True when process group `pgid` still runs an MLflow server: a stale id from server.json may by now
    belong to an unrelated process group, which must never be signalled."""
    for pid in group_members(pgid):
        try:
            if b"mlflow" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def _check_auth_kept(directory: Path, auth: bool) -> None:
    """Starting without --auth a server that has users would silently open it to everyone: refuse."""
    if auth or not (directory / "auth.db").exists():
        return
    raise ServerError(
        f"the server in {directory} was set up with --auth (users in {directory / 'auth.db'}); start it "
        "with --auth, or remove auth.db to drop its users and run without authentication"
    )


def _start_mlflow(state: ServerState, directory: Path) -> int:
    artifacts = directory / "artifacts"
    artifacts.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false",
        PGPASSWORD=state.password,
        MLFLOW_BACKEND_STORE_URI=state.store_uri,
    )
    env.pop("MLFLOW_TRACKING_URI", None)
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--host",
        HOST,
        "--port",
        str(state.port),
        "--artifacts-destination",
        str(artifacts),
        "--workers",
        str(state.workers),
    ]
    if state.auth:
        env.update(
            MLFLOW_AUTH_CONFIG_PATH=str(_auth_config(state, directory)),
            MLFLOW_AUTH_ADMIN_PASSWORD=str(state.extra["admin_password"]),
            MLFLOW_FLASK_SERVER_SECRET_KEY=str(state.extra["secret_key"]),
        )
        command += ["--app-name", "basic-auth"]
    log_file = (directory / "logs" / "mlflow.log").open("ab")
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=directory,
        start_new_session=True,
    )
    log_file.close()
    try:
        wait_until_ready(state.tracking_uri, process, READY_TIMEOUT)
    except RuntimeError:
        tail = _tail(directory / "logs" / "mlflow.log")
        raise ServerError(f"mlflow server exited with code {process.returncode} before answering: {tail}") from None
    except TimeoutError:
        stop_group(process.pid, runs="mlflow")
        raise ServerError(
            f"mlflow server did not answer at {state.tracking_uri} within {READY_TIMEOUT:.0f} s"
        ) from None
    return process.pid


def _tail(path: Path) -> str:
    """The line of the log that says what went wrong (the last exception line), else its last line."""
    try:
        text = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no log)"
    errors = [line for line in text if "Error" in line.split(":", 1)[0] or "Exception" in line.split(":", 1)[0]]
    return (errors or text or ["(empty log)"])[-1] + f" (log: {path})"


def start(directory: Path, port: int = DEFAULT_PORT, workers: int = 1, auth: bool = False) -> ServerState:
    """Start PostgreSQL and `mlflow server` for DIR (initialising it on first use); return the running state.

    With `auth`, MLflow runs its basic-auth app: an `admin` user whose random password is kept in
    DIR/server.json (it only takes effect the first time the user store is created), READ for others.
    """
    began = time.perf_counter()
    _check_auth_kept(directory.absolute(), auth)
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise ServerError("PostgreSQL binaries (initdb, pg_ctl, postgres) not found: install PostgreSQL or set PG_BIN")
    try:
        import psycopg2  # noqa: F401
    except ImportError as error:
        raise ServerError("psycopg2 is missing: pip install psycopg2-binary") from error
    directory = directory.absolute()
    previous = _read_state(directory)
    if previous and previous.mlflow_pgid and group_runs(previous.mlflow_pgid, "mlflow"):
        raise ServerError(f"already running for {directory} at {previous.tracking_uri} (stop it first)")
    if not port_is_free(HOST, port):
        raise ServerError(f"port {port} on {HOST} is in use; choose another with --port")
    directory.mkdir(parents=True, exist_ok=True)
    user = _os_user()
    _check_reachable(user, directory)
    data = directory / "postgres"
    state = previous or ServerState(dir=str(directory), port=port, pg_port=0, password=secrets.token_urlsafe(24))
    state.port, state.os_user, state.workers, state.dir = port, user, workers, str(directory)
    state.extra["auth"] = auth
    if auth:
        state.extra.setdefault("admin_password", secrets.token_urlsafe(18))
        state.extra.setdefault(
            "secret_key", secrets.token_urlsafe(32)
        )  # CSRF key of the auth app, stable across restarts
    if not (data / "PG_VERSION").is_file():
        if data.exists() and any(data.iterdir()):
            raise ServerError(f"{data} exists but holds no PostgreSQL cluster; move it away")
        if data.exists():
            data.rmdir()
        log.info("initialising PostgreSQL in %s", data)
        _init_postgres(pg_bin, user, directory, state.password)
    if not _postgres_running(pg_bin, user, data):
        state.pg_port = state.pg_port if state.pg_port and port_is_free(HOST, state.pg_port) else free_port()
        _start_postgres(pg_bin, user, directory, state.pg_port)
    _write_state(state)
    _ensure_database(state)
    log.info("starting mlflow server on %s", state.tracking_uri)
    state.mlflow_pgid = _start_mlflow(state, directory)
    state.started_at = time.time()
    state.start_seconds = round(time.perf_counter() - began, 2)
    _write_state(state)
    return state


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def stop(directory: Path) -> list[str]:
    """Stop MLflow (its whole process group) and PostgreSQL; return what was stopped."""
    directory = directory.absolute()
    state = _read_state(directory)
    if state is None:
        raise ServerError(f"no team server in {directory} (no server.json)")
    stopped = []
    if state.mlflow_pgid and stop_group(state.mlflow_pgid, runs="mlflow"):
        stopped.append(f"mlflow server (process group {state.mlflow_pgid})")
    data = directory / "postgres"
    pg_bin = find_pg_bin()
    postmaster = _postmaster_pid(data)
    if pg_bin and _postgres_running(pg_bin, state.os_user, data):
        _run(
            _as_user(state.os_user, [str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"]),
            "stopping PostgreSQL",
        )
        stopped.append(f"PostgreSQL (pid {postmaster})")
    if postmaster:
        try:
            pgid = os.getpgid(postmaster)
        except ProcessLookupError:
            pgid = None
        if pgid and pgid != os.getpgid(0) and stop_group(pgid, grace=5.0, runs="postgres"):
            stopped.append(f"PostgreSQL leftovers (process group {pgid})")
    state.mlflow_pgid = None
    _write_state(state)
    return stopped


def status(directory: Path) -> dict:
    """What runs for DIR: PostgreSQL, the MLflow process group and whether it answers."""
    directory = directory.absolute()
    state = _read_state(directory)
    if state is None:
        return {"dir": str(directory), "initialised": False, "postgres": False, "mlflow": False}
    pg_bin = find_pg_bin()
    members = group_members(state.mlflow_pgid) if state.mlflow_pgid and group_runs(state.mlflow_pgid, "mlflow") else []
    return {
        "dir": str(directory),
        "initialised": (directory / "postgres" / "PG_VERSION").is_file(),
        "postgres": bool(pg_bin and _postgres_running(pg_bin, state.os_user, directory / "postgres")),
        "postgres_port": state.pg_port,
        "mlflow": bool(members),
        "mlflow_processes": len(members),
        "answering": bool(members) and answers(state.tracking_uri),
        "tracking_uri": state.tracking_uri,
        "auth": state.auth,
        "rss_mb": round(sum(_rss_kb(pid) for pid in members) / 1024, 1),
    }


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
