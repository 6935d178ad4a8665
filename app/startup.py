"""Pre-flight before serving: each problem is one line on stderr and a non-zero exit.

A server that starts anyway answers 503 forever, which hides the cause; so before `ui.run` the
configuration is read, `DATA_DIR` written to, the database reached (with a timeout) and migrated,
and the port tried. Configuration errors exit 2, everything else 1; no traceback either way.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import uuid
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy import exc, text

from app import db
from app.config import ConfigError, Settings, get_settings

CONFIG_ERROR = 2
STARTUP_ERROR = 1


class StartupError(Exception):
    """A reason not to start, phrased as the one line an operator reads."""

    def __init__(self, message: str, code: int = STARTUP_ERROR) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = STARTUP_ERROR) -> NoReturn:
    print(f'tasklight: {message}', file=sys.stderr, flush=True)
    raise SystemExit(code)


def load_settings() -> Settings:
    """The settings, or one line naming the bad value and exit 2."""
    try:
        return get_settings()
    except ValidationError as error:
        fail(f'configuration: {_first_problem(error)}', CONFIG_ERROR)
    except ConfigError as error:
        fail(f'configuration: {error}', CONFIG_ERROR)


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    name = '.'.join(str(part) for part in first['loc']).upper() or 'settings'
    more = len(error.errors()) - 1
    suffix = f' (and {more} more)' if more else ''
    return f'{name}: {first["msg"].removeprefix("Value error, ")}{suffix}'


def preflight(settings: Settings) -> None:
    """Every check in order; exits with one line at the first that fails."""
    try:
        check_data_dir(settings)
        check_database(settings)
        if not settings.native:  # the desktop app picks a free loopback port itself
            check_port(settings.host, settings.port)
    except StartupError as error:
        fail(str(error), error.code)


def check_data_dir(settings: Settings) -> None:
    folder = settings.data_dir.resolve()
    probe = folder / f'.write-probe-{uuid.uuid4().hex}'
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b'ok')
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StartupError(f'DATA_DIR {folder} is not writable: {reason}') from None


def check_database(settings: Settings) -> None:
    """Reach the database within DB_CONNECT_TIMEOUT, then migrate it to the newest schema."""
    url = settings.sqlalchemy_url
    try:
        where = db.describe(url)
        engine = db.make_engine(url, pool_size=1)
    except (exc.ArgumentError, ImportError, ValueError) as error:
        # Unparsable, a port that is not a number, or a database without a driver here.
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise StartupError(
            f'configuration: DATABASE_URL: use sqlite:///path or postgresql://…: {reason}',
            CONFIG_ERROR,
        ) from None
    kind = 'PostgreSQL' if url.startswith('postgresql') else 'SQLite'
    try:
        with engine.connect() as connection:
            connection.execute(text('SELECT 1'))
    except db.TROUBLE as error:
        raise StartupError(f'cannot reach {kind} at {where}: {_reason(error)}') from None
    finally:
        engine.dispose()
    try:
        db.migrate(url)
    except db.TROUBLE as error:
        raise StartupError(f'cannot migrate {kind} at {where}: {_reason(error)}') from None


def _reason(error: BaseException) -> str:
    cause = getattr(error, 'orig', None) or error
    lines = [line.strip() for line in str(cause).strip().splitlines() if line.strip()]
    reason = lines[0] if lines else type(cause).__name__
    reason = ' '.join(reason.removeprefix('connection failed: ').split())
    if 'does not exist' in reason and 'database' in reason:
        reason += ' (create it, then start Tasklight again)'
    return reason


def check_port(host: str, port: int) -> None:
    """Bind where uvicorn will bind, and let go: "ready to go" must never precede "in use"."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name != 'nt':  # as uvicorn does, so a port in TIME_WAIT counts as free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(f'port {port} is in use: set PORT') from None
            raise StartupError(f'cannot listen on {host}:{port}: {error.strerror}') from None
