"""The REST API: JSON over HTTP with bearer tokens, mounted on NiceGUI's FastAPI app."""

from fastapi import APIRouter

from app.api import auth, tasks

router = APIRouter(prefix='/api')
router.include_router(auth.router)
router.include_router(tasks.router)
