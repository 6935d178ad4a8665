from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import ConfigError, Settings, normalize_database_url


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
