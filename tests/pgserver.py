"""Start a throw-away PostgreSQL server for the test suite.

The server is run from the binaries of Debian's ``postgresql`` package
(``/usr/lib/postgresql/<version>/bin``), in a temporary data directory, listening
on a free TCP port on 127.0.0.1 only. Durability is switched off because the data
is thrown away anyway. PostgreSQL refuses to run as root, so when the tests run as
root the server is run as the ``postgres`` system user created by the Debian
package; otherwise it runs as the current user.

Usage::

    with PostgresServer() as server:
        engine = sqlalchemy.create_engine(server.url)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

from net_kit import free_port

PG_LIB_DIR = Path("/usr/lib/postgresql")
SERVICE_USER = "postgres"
DEFAULT_USER = "openipn"
DEFAULT_DATABASE = "openipn"
_START_ATTEMPTS = 3
_TIMEOUT_SECONDS = 120


def find_pg_bindir(lib_dir: Path = PG_LIB_DIR) -> Path:
    """Return the ``bin`` directory of the newest installed PostgreSQL version.

    Raises:
        RuntimeError: if no version with both ``initdb`` and ``pg_ctl`` is installed.
    """
    candidates: list[tuple[int, Path]] = []
    if lib_dir.is_dir():
        for version_dir in lib_dir.iterdir():
            bindir = version_dir / "bin"
            if (
                version_dir.name.isdigit()
                and (bindir / "initdb").is_file()
                and (bindir / "pg_ctl").is_file()
            ):
                candidates.append((int(version_dir.name), bindir))
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL server binaries (initdb, pg_ctl) not found under {lib_dir}/*/bin. "
            "Install Debian's 'postgresql' package ('make test' does this for you via "
            "scripts/ensure-debian-packages.sh), or set OPENIPN_TEST_SKIP_POSTGRES=1 "
            "to skip the PostgreSQL tests."
        )
    return max(candidates)[1]


def _world_traversable(path: Path) -> bool:
    """Whether every directory from ``/`` down to ``path`` is searchable by others."""
    return all(p.stat().st_mode & 0o001 for p in (path, *path.parents))


class PostgresServer:
    """A temporary PostgreSQL server (one cluster, one initial database).

    Args:
        user: superuser name created by initdb (authentication is ``trust``).
        database: name of the database created after start-up.
        bindir: PostgreSQL ``bin`` directory; defaults to the newest installed one.
    """

    def __init__(
        self,
        user: str = DEFAULT_USER,
        database: str = DEFAULT_DATABASE,
        bindir: Path | None = None,
    ) -> None:
        self.user = user
        self.database = database
        self._bindir = bindir
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.tmpdir: Path | None = None
        self._run_as: pwd.struct_passwd | None = None

    # -- public API ---------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether :meth:`start` has succeeded and :meth:`stop` not yet been called."""
        return self.port is not None

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the initial database."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL of ``database`` on this server."""
        if self.port is None:
            raise RuntimeError("PostgresServer is not running; call start() first")
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str | None = None) -> str:
        """libpq connection string (for psycopg) of ``database`` on this server."""
        if self.port is None:
            raise RuntimeError("PostgresServer is not running; call start() first")
        dbname = database or self.database
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def start(self) -> PostgresServer:
        """Initialise a cluster in a temporary directory, start it, create the database."""
        if self.running:
            raise RuntimeError("PostgresServer is already running")
        bindir = self._bindir = self._bindir or find_pg_bindir()
        self._run_as = self._service_user()
        self.tmpdir = self._make_tmpdir()
        atexit.register(self.stop)
        try:
            self._initdb(bindir)
            self._start_server(bindir)
            self.create_database(self.database)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server immediately and delete its data directory. Idempotent."""
        atexit.unregister(self.stop)
        self.port = None
        if self.tmpdir is None:
            return
        data = self.tmpdir / "data"
        try:
            if self._bindir is not None and (data / "postmaster.pid").exists():
                pg_ctl = str(self._bindir / "pg_ctl")
                try:
                    result = self._run([pg_ctl, "stop", "-D", str(data), "-m", "immediate", "-w"])
                    stopped = result.returncode == 0
                except subprocess.TimeoutExpired:
                    stopped = False
                if not stopped:
                    self._kill_postmaster(data)
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting any remaining sessions."""
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------

    @staticmethod
    def _service_user() -> pwd.struct_passwd | None:
        """The account to run PostgreSQL as, or None to run as the current user."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise RuntimeError(
                f"Running as root, but there is no '{SERVICE_USER}' system user to run "
                "PostgreSQL as (PostgreSQL refuses to run as root). Install Debian's "
                "'postgresql' package ('make test' does this for you), which creates it."
            ) from None

    def _make_tmpdir(self) -> Path:
        base = Path(tempfile.gettempdir())
        if self._run_as is not None and not _world_traversable(base):
            base = Path("/tmp")  # the service user must be able to reach the directory
        tmpdir = Path(tempfile.mkdtemp(prefix="openipn-pg-", dir=base))
        (tmpdir / "sock").mkdir()
        if self._run_as is not None:
            for path in (tmpdir, tmpdir / "sock"):
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)
        return tmpdir

    def _run(self, args: list[str], *, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL command (as the service user when we are root)."""
        assert self.tmpdir is not None
        if self._run_as is not None:
            args = ["runuser", "-u", self._run_as.pw_name, "--", *args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        result = subprocess.run(
            args,
            cwd=self.tmpdir,  # the service user may not be able to access our cwd
            env=env,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"command failed with exit code {result.returncode}: {' '.join(args)}\n"
                f"{result.stdout}{result.stderr}{self._log_tail()}"
            )
        return result

    def _initdb(self, bindir: Path) -> None:
        assert self.tmpdir is not None
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.tmpdir / "data"),
                "-A",
                "trust",
                "-U",
                self.user,
                "--no-sync",
                "--encoding=UTF8",
                "--locale=C",
            ],
            check=True,
        )

    def _start_server(self, bindir: Path) -> None:
        """Start on a free port, retrying if another process grabbed it meanwhile."""
        assert self.tmpdir is not None
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = free_port()
            options = (
                f"-p {port} -k {self.tmpdir / 'sock'} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            result = self._run(
                [
                    str(bindir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    str(_TIMEOUT_SECONDS),
                    "-D",
                    str(self.tmpdir / "data"),
                    "-l",
                    str(self.tmpdir / "postgres.log"),
                    "-o",
                    options,
                ],
                check=attempt == _START_ATTEMPTS,
            )
            if result.returncode == 0:
                self.port = port
                return
            self._kill_postmaster(self.tmpdir / "data")

    def _kill_postmaster(self, data: Path) -> None:
        """Fallback: immediate shutdown (SIGQUIT) of the postmaster in ``postmaster.pid``."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((data / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)

    def _log_tail(self, lines: int = 30) -> str:
        if self.tmpdir is None:
            return ""
        try:
            text = (self.tmpdir / "postgres.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n--- postgres.log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])
