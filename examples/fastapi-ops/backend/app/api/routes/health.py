import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.core.cache import cache
from app.core.database import check_database, pool_status
from app.core.migrations import pending_migrations

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/liveness")
def liveness() -> dict:
    return {"status": "ok"}


@router.get("/readiness")
def readiness() -> JSONResponse:
    checks = {"database": "ok", "redis": "ok"}
    try:
        check_database()
    except Exception:
        logger.exception("readiness: database check failed")
        return JSONResponse(status_code=503, content={"status": "unavailable", "checks": {**checks, "database": "down"}})
    try:
        cache.ping()
    except Exception:
        logger.warning("readiness: redis down, serving from the in-process cache")
        checks["redis"] = "degraded"
    return JSONResponse(status_code=200, content={"status": "ok", "checks": checks, "pool": pool_status()})


@router.get("/migrations")
def migrations() -> dict:
    pending = pending_migrations()
    return {"up_to_date": not pending, "pending": pending}
