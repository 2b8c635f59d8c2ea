from fastapi import APIRouter

from app.api.routes import auth, events, files, integrations, workflows

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(events.router)
api_router.include_router(workflows.router)
api_router.include_router(integrations.router)
api_router.include_router(files.router)
