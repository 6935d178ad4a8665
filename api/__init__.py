"""The REST API: JSON over HTTP with bearer tokens, mounted on NiceGUI's FastAPI app."""

from fastapi import APIRouter

from api import account, admin, auth, lists, tasks, transfer
from api.deps import Responses
from api.schemas import ErrorResponse

# Answers any route can give before it runs: documented once for all of them.
COMMON: Responses = {
    400: {'model': ErrorResponse, 'description': 'The body could not be parsed'},
    413: {'model': ErrorResponse, 'description': 'The body is larger than MAX_BODY_BYTES'},
    503: {'model': ErrorResponse, 'description': 'The database is unreachable; retry later'},
}

router = APIRouter(prefix='/api', responses=COMMON)
router.include_router(auth.router)
router.include_router(tasks.router)
router.include_router(lists.router)
router.include_router(account.router)
router.include_router(transfer.router)
router.include_router(admin.router)
