"""The shipped deploy/ files, run on loopback: nginx.conf with test ports and paths."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / 'deploy'
NGINX = shutil.which('nginx') or ('/usr/sbin/nginx' if Path('/usr/sbin/nginx').exists() else None)
NOT_INSTALLED = 'nginx is not installed (scripts/test installs it with apt): ' + (
    'the shipped deploy/nginx.conf cannot be run here'
)
UPSTREAMS = ('tasklight-a:8080', 'tasklight-b:8080')  # the compose service names in nginx.conf


def _once(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence: a config that drifted from what the tests rewrite fails
    here, loudly, instead of testing something else."""
    count = text.count(old)
    if count != 1:
        raise AssertionError(f'deploy/nginx.conf has {count} of {old!r}, expected exactly 1')
    return text.replace(old, new)


def render_nginx(directory: Path, *, listen: int, upstreams: tuple[int, int]) -> Path:
    """deploy/nginx.conf with loopback addresses and every file under `directory`; nothing else
    in it changes."""
    logs = directory / 'logs'
    logs.mkdir(parents=True, exist_ok=True)
    text = (DEPLOY / 'nginx.conf').read_text()
    for name, port in zip(UPSTREAMS, upstreams, strict=True):
        text = _once(text, f'server {name} ', f'server 127.0.0.1:{port} ')
    text = _once(text, 'listen 80;', f'listen 127.0.0.1:{listen};')
    text = text.replace('/var/log/nginx/', f'{logs}/')
    # Temporary files where this user may write (the distribution's are root's).
    temp = ''.join(
        f'    {kind}_temp_path {directory / kind};\n'
        for kind in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi')
    )
    text = _once(text, 'http {\n', 'http {\n' + temp)
    conf = directory / 'nginx.conf'
    conf.write_text(text)
    return conf


def nginx_command(conf: Path, *, test: bool = False) -> list[str]:
    assert NGINX is not None, NOT_INSTALLED
    directory = conf.parent
    main = f'daemon off; pid {directory / "nginx.pid"};'
    if os.geteuid() == 0:  # workers would otherwise drop to nobody, who cannot write here
        main += ' user root;'
    command = [NGINX, '-p', str(directory), '-e', str(directory / 'logs' / 'error.log')]
    return [*command, '-c', str(conf), '-g', main, *(['-t'] if test else [])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, seconds: float = 15.0, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f'nothing listens on {port} (exit {process.poll()})') from None
            time.sleep(0.05)


@contextmanager
def running_nginx(directory: Path, *, upstreams: tuple[int, int]) -> Iterator[str]:
    """nginx from the shipped config in the foreground, as this user; yields its URL."""
    port = free_port()
    conf = render_nginx(directory, listen=port, upstreams=upstreams)
    process = subprocess.Popen(nginx_command(conf))
    try:
        wait_for_port(port, process=process)
        yield f'http://127.0.0.1:{port}'
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


CADDY = shutil.which('caddy')


@contextmanager
def running_caddy(directory: Path, *, upstreams: tuple[int, int]) -> Iterator[str]:
    """Caddy from the shipped Caddyfile on a loopback port, plain HTTP; yields its URL. Only the
    upstream addresses change, and a global block turns Caddy's admin endpoint off (another
    Caddy on this machine may hold its port)."""
    assert CADDY is not None
    port = free_port()
    text = (DEPLOY / 'Caddyfile').read_text()
    for name, upstream in zip(UPSTREAMS, upstreams, strict=True):
        text = _once(text, name, f'127.0.0.1:{upstream}')
    conf = directory / 'Caddyfile'
    conf.write_text('{\n\tadmin off\n}\n\n' + text)
    env = {
        'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
        'HOME': str(directory),
        'XDG_DATA_HOME': str(directory / 'data'),
        'XDG_CONFIG_HOME': str(directory / 'config'),
        'TASKLIGHT_HOST': f'http://127.0.0.1:{port}',  # the site address: no TLS on loopback
    }
    with (directory / 'caddy.log').open('ab') as log:
        process = subprocess.Popen(
            [CADDY, 'run', '--adapter', 'caddyfile', '--config', str(conf)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process=process)
        yield f'http://127.0.0.1:{port}'
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
