"""No text a client sends reaches a database or a hash with NUL or a lone surrogate in it.

PostgreSQL refuses both (a 500 before this), so every text field of every request model refuses
them with a 422 naming the field. The models are found by walking the modules, not listed: a new
request model or field is checked without anyone remembering to add it here.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, EmailStr, ValidationError
from sqlmodel import SQLModel

from api import schemas
from app import models
from tests.api.conftest import Account, build_app

# What the server sends, never reads: nothing here is validated from a client.
OUTPUT_MODELS = {
    models.UserRead,
    models.TaskRead,
    models.TaskPage,
    models.TaskCounts,
    models.ListRead,
    models.ListSummary,
    models.MemberRead,
    models.SessionInfo,
    models.IssuedSession,
    schemas.TokenResponse,
    schemas.ErrorResponse,
    schemas.PreconditionFailedBody,
    schemas.ListPreconditionFailedBody,
}
# Values that each text field accepts as they are; the tests put the bad character inside one.
EXAMPLES = ('correct horse battery', 'person@example.com')
BAD = {'NUL': '\x00', 'lone surrogate': '\ud800'}


def _defined_models(module: types.ModuleType) -> Iterator[type[BaseModel]]:
    for _, value in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(value, BaseModel)
            and value.__module__ == module.__name__
            and not (issubclass(value, SQLModel) and value.model_config.get('table'))
        ):
            yield value


REQUEST_MODELS = sorted(
    (
        model
        for module in (models, schemas)
        for model in _defined_models(module)
        if model not in OUTPUT_MODELS
    ),
    key=lambda model: model.__name__,
)


def _is_text(annotation: Any) -> bool:
    """Whether a field takes free text (str, an email), through Optional and Annotated."""
    if annotation is str or annotation is EmailStr:
        return True
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return False  # a fixed set of words can hold no stray character
    if origin is Annotated:
        return _is_text(typing.get_args(annotation)[0])
    return any(_is_text(arg) for arg in typing.get_args(annotation))


TEXT_FIELDS = [
    (model, name)
    for model in REQUEST_MODELS
    for name, field in model.model_fields.items()
    if _is_text(field.annotation)
]


def test_the_walk_finds_the_request_models_and_their_text_fields() -> None:
    """Guards the walk itself: if it found nothing, the tests below would prove nothing."""
    names = {(model.__name__, name) for model, name in TEXT_FIELDS}
    assert {
        ('LoginRequest', 'email'),
        ('LoginRequest', 'password'),
        ('RefreshRequest', 'refresh_token'),
        ('RegisterRequest', 'email'),
        ('RegisterRequest', 'password'),
        ('TaskCreateRequest', 'title'),
        ('TaskUpdateRequest', 'description'),
        ('Credentials', 'password'),
        ('TaskQuery', 'q'),
        ('ListCreateRequest', 'name'),
        ('ListUpdateRequest', 'name'),
        ('TimeZoneRequest', 'time_zone'),
    } <= names


def test_every_body_the_api_reads_is_a_walked_model() -> None:
    """A request model defined outside app.models / api.schemas would escape the walk."""
    spec = build_app().openapi()
    bodies = set()
    for operations in spec['paths'].values():
        for operation in operations.values():
            for content in operation.get('requestBody', {}).get('content', {}).values():
                schema = content['schema']
                bodies.add(
                    schema['$ref'].rsplit('/', 1)[-1] if '$ref' in schema else schema.get('title')
                )
    bodies.discard(None)  # the OAuth2 form: the same LoginRequest, read by hand
    assert {
        'LoginRequest',
        'RegisterRequest',
        'TaskCreateRequest',
        'TaskMoveRequest',
        'ListCreateRequest',
        'ListUpdateRequest',
        'ListMoveRequest',
        'TimeZoneRequest',
    } <= bodies
    assert bodies <= {model.__name__ for model in REQUEST_MODELS}


def _accepted_example(model: type[BaseModel], name: str) -> str:
    for example in EXAMPLES:
        try:
            model.__pydantic_validator__.validate_assignment(model.model_construct(), name, example)
        except ValidationError:
            continue
        return example
    raise AssertionError(f'{model.__name__}.{name}: add a valid example to EXAMPLES')


@pytest.mark.parametrize('bad', BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize(
    ('model', 'name'), TEXT_FIELDS, ids=[f'{m.__name__}.{n}' for m, n in TEXT_FIELDS]
)
def test_every_text_field_of_every_request_model_refuses_it(
    model: type[BaseModel], name: str, bad: str
) -> None:
    example = _accepted_example(model, name)
    tainted = example[:3] + bad + example[3:]
    with pytest.raises(ValidationError) as caught:
        model.__pydantic_validator__.validate_assignment(model.model_construct(), name, tainted)
    assert [error['loc'] for error in caught.value.errors()] == [(name,)]


# ---------------------------------------------------------------- over HTTP, on both databases


@pytest.mark.parametrize('bad', BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize(
    ('path', 'field', 'body'),
    [
        ('/api/auth/login', 'email', {'email': 'per{}son@example.com', 'password': 'whatever!'}),
        ('/api/auth/login', 'password', {'email': 'person@example.com', 'password': 'what{}ever'}),
        ('/api/auth/register', 'email', {'email': 'ne{}w@example.com', 'password': 'uncommon pw'}),
        ('/api/auth/register', 'password', {'email': 'new@example.com', 'password': 'unco{}mmon'}),
        ('/api/auth/refresh', 'refresh_token', {'refresh_token': 'abc{}def'}),
    ],
)
def test_sign_in_sign_up_and_refresh_answer_422_naming_the_field(
    client: TestClient, path: str, field: str, body: dict[str, str], bad: str
) -> None:
    sent = {key: value.replace('{}', bad) for key, value in body.items()}
    # ensure_ascii: a lone surrogate travels as the JSON escape a client would send.
    response = client.post(
        path, content=json.dumps(sent), headers={'Content-Type': 'application/json'}
    )
    assert response.status_code == 422, response.text
    assert [error['loc'] for error in response.json()['detail']] == [['body', field]]


def test_the_sign_in_form_refuses_a_nul_in_the_email(client: TestClient) -> None:
    response = client.post(
        '/api/auth/login', data={'username': 'per\x00son@example.com', 'password': 'whatever!'}
    )
    assert response.status_code == 422
    assert [error['loc'] for error in response.json()['detail']] == [['body', 'email']]


@pytest.mark.parametrize('field', ['title', 'description'])
def test_task_writes_answer_422_naming_the_field(
    signup: Callable[..., Account], field: str
) -> None:
    account = signup()
    task = account.create('Kept as it was')
    body = {'title': 'A task', field: 'bad\x00text'}
    created = account.request('POST', '/api/tasks', json=body)
    updated = account.request('PATCH', f'/api/tasks/{task["id"]}', json={field: 'bad\x00text'})
    for response in (created, updated):
        assert response.status_code == 422, response.text
        assert [error['loc'] for error in response.json()['detail']] == [['body', field]]
    listed = account.request('GET', '/api/tasks').json()
    assert [item['title'] for item in listed['items']] == ['Kept as it was']
    searched = account.request('GET', '/api/tasks', params={'q': 'bad\x00text'})
    assert searched.status_code == 422
    assert [error['loc'] for error in searched.json()['detail']] == [['query', 'q']]


@pytest.mark.parametrize('bad', BAD.values(), ids=BAD.keys())
def test_list_names_and_time_zones_answer_422_naming_the_field(
    signup: Callable[..., Account], bad: str
) -> None:
    account = signup()
    kept = account.request('POST', '/api/lists', json={'name': 'Kept'}).json()
    responses = [
        account.request(
            'POST',
            '/api/lists',
            content=json.dumps({'name': f'Er{bad}rands'}),
            headers={'Content-Type': 'application/json'},
        ),
        account.request(
            'PATCH',
            f'/api/lists/{kept["id"]}',
            content=json.dumps({'name': f'Er{bad}rands'}),
            headers={'Content-Type': 'application/json'},
        ),
    ]
    for response in responses:
        assert response.status_code == 422, response.text
        assert [error['loc'] for error in response.json()['detail']] == [['body', 'name']]
    zone = account.request(
        'PUT',
        '/api/me/time-zone',
        content=json.dumps({'time_zone': f'Europe/{bad}Berlin'}),
        headers={'Content-Type': 'application/json'},
    )
    assert zone.status_code == 422, zone.text
    assert [error['loc'] for error in zone.json()['detail']] == [['body', 'time_zone']]
    names = [item['name'] for item in account.request('GET', '/api/lists').json()]
    assert names == ['Inbox', 'Kept']
    assert account.request('GET', '/api/auth/me').json()['time_zone'] == 'UTC'
