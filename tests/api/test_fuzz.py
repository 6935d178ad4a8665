"""Property-based fuzzing of the whole OpenAPI contract with schemathesis, on both databases.

For every operation, generated requests (valid ones and deliberately invalid ones, signed in)
must get a documented status, never a 5xx, with a body and headers matching the documented
schema. FUZZ_EXAMPLES per operation and mode (default 60) keeps the run within a few minutes.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Account, build_app

EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', '60'))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SCHEMA = schemathesis.openapi.from_asgi('/openapi.json', build_app())
_OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Invalid requests need something to make invalid: operations without parameters or a body
# have no negative cases.
CASES = sorted(
    (op.method.upper(), op.path, mode)
    for op in _OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or op.body or list(op.iter_parameters())
)


@pytest.mark.parametrize(('method', 'path', 'mode'), CASES, ids=str)
def test_generated_requests_never_break_the_contract(
    method: str, path: str, mode: GenerationMode, signup: Callable[..., Account]
) -> None:
    account = signup()
    # Low ids on a fresh database, so some generated ids hit them: the Inbox (created with the
    # first task), a task, a second list with a task in it (what a delete must decide about).
    account.create('A task that may be found', due_date='2027-01-01', priority=2)
    listed = account.request('POST', '/api/lists', json={'name': 'A list that may be found'})
    assert listed.status_code == 201, listed.text
    account.create('A task in that list', list_id=listed.json()['id'])
    operation = SCHEMA[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        headers = {**account.headers, **(case.headers or {})}
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
