from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import ConfigError, Settings, get_settings, normalize_database_url


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ('values', 'missing'),
    [
        ({}, 'SECRET_KEY and DATABASE_URL'),
        ({'database_url': 'postgresql://db/tasklight'}, 'SECRET_KEY'),
        ({'secret_key': 's' * 32}, 'DATABASE_URL'),
    ],
)
def test_production_refuses_to_start_without_real_secrets(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, object], missing: str
) -> None:
    monkeypatch.delenv('SECRET_KEY')
    monkeypatch.delenv('DATABASE_URL')
    with pytest.raises(ConfigError, match=f'ENV=production needs {missing} to be set'):
        _settings(env='production', **values)


@pytest.mark.parametrize('env', ['production', 'development', 'test'])
def test_a_short_secret_is_refused_in_every_mode(env: str) -> None:
    with pytest.raises(ConfigError, match='at least 32 characters'):
        _settings(env=env, secret_key='s' * 31, database_url='postgresql://db/x')


def test_docs_are_off_in_production_unless_asked_for() -> None:
    real = {'secret_key': 's' * 32, 'database_url': 'postgresql://db/x'}
    assert _settings(env='development').docs_enabled
    assert not _settings(env='production', **real).docs_enabled
    assert _settings(env='production', api_docs=True, **real).docs_enabled
    assert not _settings(env='development', native=True).docs_enabled  # the desktop app


def test_production_starts_with_both_set() -> None:
    settings = _settings(env='production', secret_key='s' * 32, database_url='postgres://db/x')
    assert settings.sqlalchemy_url == 'postgresql+psycopg://db/x'


@pytest.mark.parametrize(
    ('given', 'expected'),
    [
        ('postgres://u:p@h:5432/d', 'postgresql+psycopg://u:p@h:5432/d'),
        ('postgresql://u@h/d?sslmode=require', 'postgresql+psycopg://u@h/d?sslmode=require'),
        ('postgresql+psycopg2://h/d', 'postgresql+psycopg://h/d'),
        ('postgresql+psycopg://h/d', 'postgresql+psycopg://h/d'),
        ('sqlite:///tmp/x.db', 'sqlite:///tmp/x.db'),
    ],
)
def test_database_urls_are_normalised_to_psycopg3(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_development_defaults_to_sqlite_and_a_kept_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv('SECRET_KEY')
    monkeypatch.delenv('DATABASE_URL')
    monkeypatch.delenv('ENV')
    settings = _settings(data_dir=tmp_path)
    assert settings.env == 'development'
    assert settings.sqlalchemy_url == f'sqlite:///{tmp_path.resolve()}/tasklight.db'
    secret = settings.signing_key
    assert len(secret) >= 32
    assert (tmp_path / 'secret_key').stat().st_mode & 0o777 == 0o600
    assert _settings(data_dir=tmp_path).signing_key == secret


def test_cors_origins_are_explicit() -> None:
    settings = _settings(cors_origins='https://a.example, https://b.example/')
    assert settings.cors_origins == ['https://a.example', 'https://b.example']
    with pytest.raises(ValidationError, match='explicit origins'):
        _settings(cors_origins='*')


def test_rate_limits_must_be_in_limits_notation() -> None:
    assert _settings(rate_limit_login='3 per minute').rate_limit_login == '3 per minute'
    with pytest.raises(ValidationError):
        _settings(rate_limit_login='lots')


# ---------------------------------------------------------------- the desktop app's data folder


@pytest.fixture
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh XDG data home and working directory, and no DATA_DIR from the test set-up."""
    monkeypatch.delenv('DATA_DIR')
    monkeypatch.delenv('DATABASE_URL')
    monkeypatch.setenv('XDG_DATA_HOME', str(tmp_path / 'share'))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_server_keeps_its_data_in_the_working_folder(user_folders: Path) -> None:
    settings = _settings()
    assert not settings.desktop
    assert settings.data_dir == Path('./data')


def test_a_desktop_run_keeps_its_data_in_the_user_data_folder(user_folders: Path) -> None:
    settings = _settings(native=True)
    assert settings.desktop
    assert settings.data_dir == user_folders / 'share' / 'Tasklight'
    assert settings.sqlalchemy_url == f'sqlite:///{user_folders}/share/Tasklight/tasklight.db'


def test_data_dir_points_a_desktop_run_elsewhere(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv('DATA_DIR', str(user_folders / 'elsewhere'))
    assert _settings(native=True).data_dir == user_folders / 'elsewhere'


def test_the_packaged_app_is_a_desktop_app_that_reads_env_from_its_data_folder(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, 'frozen', True, raising=False)
    monkeypatch.delenv('RATE_LIMIT_LOGIN')
    # A stray .env where it was started from is not its configuration ...
    (user_folders / '.env').write_text('RATE_LIMIT_LOGIN=1/hour\nNATIVE=false\n')
    folder = user_folders / 'share' / 'Tasklight'
    folder.mkdir(parents=True)
    # ... the one in its data folder is.
    (folder / '.env').write_text('RATE_LIMIT_LOGIN=7/minute\n')
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.native
    assert settings.data_dir == folder
    assert settings.rate_limit_login == '7/minute'


def test_the_data_folder_env_can_point_the_packaged_app_elsewhere(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, 'frozen', True, raising=False)
    folder = user_folders / 'share' / 'Tasklight'
    folder.mkdir(parents=True)
    (folder / '.env').write_text(f'DATA_DIR={user_folders / "usb"}\n')
    get_settings.cache_clear()
    assert get_settings().data_dir == user_folders / 'usb'


def test_a_source_run_reads_env_from_the_working_folder(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv('RATE_LIMIT_LOGIN')
    (user_folders / '.env').write_text('RATE_LIMIT_LOGIN=3/minute\n')
    get_settings.cache_clear()
    assert get_settings().rate_limit_login == '3/minute'
    assert not get_settings().desktop_accounts
