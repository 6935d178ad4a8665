"""Accounts and tokens: register, login (JSON or OAuth2 form), refresh, logout, me."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.deps import UNAUTHORIZED, ClientAddress, CurrentSession, Responses, client_address
from api.schemas import (
    ErrorResponse,
    ForgotPasswordRequest,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    TokenResponse,
)
from app.db import session_scope
from app.models import IssuedSession, UserRead
from services import auth, password_reset

router = APIRouter(prefix='/auth', tags=['auth'])

RATE_LIMITED: Responses = {
    429: {'model': ErrorResponse, 'description': 'Too many attempts; see Retry-After'}
}
INVALID: Responses = {422: {'description': 'A field is missing or invalid'}}
REGISTER_RESPONSES: Responses = {
    403: {
        'model': ErrorResponse,
        'description': 'Registration is closed, or needs an invitation and this one is missing, '
        'invalid, expired, used, withdrawn or for another email',
    },
    409: {'model': ErrorResponse, 'description': 'Email already registered'},
    **INVALID,
    **RATE_LIMITED,
}
LOGIN_RESPONSES: Responses = {
    401: {
        'model': ErrorResponse,
        'description': 'Invalid email or password, or the account is deactivated',
    },
    **INVALID,
    **RATE_LIMITED,
}


def _tokens(issued: IssuedSession) -> TokenResponse:
    access_token, expires_in = auth.issue_access_token(issued.info)
    return TokenResponse(
        user=issued.info.user,
        access_token=access_token,
        expires_in=expires_in,
        refresh_token=issued.token,
    )


@router.post('/register', status_code=201, responses=REGISTER_RESPONSES)
@router.post(
    '/signup',
    status_code=201,
    responses=REGISTER_RESPONSES,
    summary='Alias of /register',
    operation_id='signup',
)
def register(body: RegisterRequest, address: ClientAddress, request: Request) -> TokenResponse:
    """Create an account and sign it in. The email is matched case-insensitively.

    REGISTRATION=invite needs `invitation` (the `invite` token of an admin's link);
    REGISTRATION=closed refuses everyone (403). ALLOWED_EMAIL_DOMAINS: other domains get 422."""
    with session_scope() as session:
        user = auth.register(
            session,
            email=body.email,
            password=body.password,
            address=address,
            invitation=body.invitation,
        )
        issued = auth.start_session(
            session,
            user=user,
            kind='api',
            address=address,
            user_agent=request.headers.get('user-agent'),
        )
    return _tokens(issued)


_LOGIN_BODY = {
    'requestBody': {
        'required': True,
        'content': {
            'application/json': {'schema': LoginRequest.model_json_schema()},
            'application/x-www-form-urlencoded': {
                'schema': {
                    'type': 'object',
                    'required': ['username', 'password'],
                    'properties': {
                        'username': {
                            'type': 'string',
                            'description': 'Your email',
                            'maxLength': 320,
                        },
                        'password': {'type': 'string', 'maxLength': 1024},
                    },
                }
            },
        },
    }
}


async def _login_body(request: Request) -> LoginRequest:
    content_type = request.headers.get('content-type', '').split(';')[0].strip().lower()
    data: Any
    if content_type in ('application/x-www-form-urlencoded', 'multipart/form-data'):
        form = await request.form(max_files=0, max_fields=10)
        data = {'email': form.get('username', form.get('email')), 'password': form.get('password')}
        data = {key: value for key, value in data.items() if value is not None}
    else:
        try:
            data = json.loads(await request.body())
        # RecursionError: a body of a thousand nested `[` exhausts the parser's stack.
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise RequestValidationError(
                [
                    {
                        'type': 'json_invalid',
                        'loc': ('body',),
                        'msg': 'JSON decode error',
                        'input': None,
                    }
                ]
            ) from None
    try:
        return LoginRequest.model_validate(data)
    except ValidationError as error:
        # Without the rejected input: it may be nested deeper than the encoder can recurse,
        # and the 422 never echoes what was sent anyway.
        raise RequestValidationError(
            [
                {**e, 'loc': ('body', *e['loc']), 'input': None}
                for e in error.errors(include_url=False, include_input=False)
            ]
        ) from None


@router.post('/login', responses=LOGIN_RESPONSES, openapi_extra=_LOGIN_BODY)
@router.post(
    '/signin',
    responses=LOGIN_RESPONSES,
    openapi_extra=_LOGIN_BODY,
    summary='Alias of /login',
    operation_id='signin',
)
async def login(request: Request) -> TokenResponse:
    """Sign in with email and password, as JSON or as the OAuth2 password form.

    Unknown email and wrong password give the same 401. Attempts are limited (429 with
    Retry-After): failures per email, every password check per client address and server-wide.
    """
    body = await _login_body(request)
    address = client_address(request)

    def sign_in() -> IssuedSession:
        with session_scope() as session:
            return auth.sign_in(
                session,
                email=body.email,
                password=body.password,
                kind='api',
                address=address,
                user_agent=request.headers.get('user-agent'),
            )

    return _tokens(await run_in_threadpool(sign_in))


@router.post(
    '/refresh',
    responses={
        401: {'model': ErrorResponse, 'description': 'Invalid or reused refresh token'},
        **INVALID,
    },
)
def refresh(body: RefreshRequest, address: ClientAddress, request: Request) -> TokenResponse:
    """Trade a refresh token for a new pair. Each refresh token works once; a reused one ends
    the session it belonged to."""
    with session_scope() as session:
        issued = auth.refresh(
            session,
            refresh_token=body.refresh_token,
            address=address,
            user_agent=request.headers.get('user-agent'),
        )
    return _tokens(issued)


@router.post('/logout', status_code=204, response_class=Response, responses=UNAUTHORIZED)
@router.post(
    '/signout',
    status_code=204,
    response_class=Response,
    responses=UNAUTHORIZED,
    summary='Alias of /logout',
    operation_id='signout',
)
def logout(current: CurrentSession) -> Response:
    """End this session: its access and refresh tokens stop working at once."""
    with session_scope() as session:
        auth.revoke_session(session, actor_id=current.user.id, session_id=current.session_id)
    return Response(status_code=204)


@router.get('/me', responses=UNAUTHORIZED)
def me(current: CurrentSession) -> UserRead:
    """The signed-in account."""
    return current.user


class ResetRequested(BaseModel):
    detail: str


@router.post(
    '/forgot-password',
    status_code=202,
    responses={
        404: {'model': ErrorResponse, 'description': 'Password reset by email is not set up'},
        **INVALID,
        **RATE_LIMITED,
    },
)
def forgot_password(
    body: ForgotPasswordRequest, address: ClientAddress, request: Request, later: BackgroundTasks
) -> ResetRequested:
    """Email a password-reset link. The answer is the same whether or not the address has an
    account (the email goes out after it); limited per address asked about and per client."""
    with session_scope() as session:
        message = password_reset.request_reset(
            session, email=body.email, address=address, base=str(request.base_url)
        )
    if message is not None:
        later.add_task(password_reset.deliver, message)
    return ResetRequested(detail=password_reset.SENT)


@router.post(
    '/reset-password',
    status_code=204,
    response_class=Response,
    responses={422: {'description': 'The link is not valid any more, or the password is weak'}},
)
def reset_password(body: ResetPasswordRequest) -> Response:
    """Set a new password with a reset link's token; the link then stops working and every
    session of the account (browser and API) ends at once."""
    with session_scope() as session:
        password_reset.reset_password(session, token=body.token, new_password=body.new_password)
    return Response(status_code=204)
