import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi.errors import RateLimitExceeded

from app.api.main import api_router
from app.api.routes import health, ws
from app.core.config import settings
from app.core.migrations import pending_migrations
from app.core.rate_limit import limiter, rate_limit_exceeded

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    pending = pending_migrations()
    if pending:
        if settings.ENVIRONMENT == "production":
            raise RuntimeError(f"database is behind: pending migrations {pending}")
        logger.warning("pending migrations: %s", pending)
    yield


app = FastAPI(title=settings.PROJECT_NAME, lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, rate_limit_exceeded)

app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.CORS_ORIGINS,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

app.include_router(health.router)
app.include_router(api_router, prefix=settings.API_PREFIX)
app.include_router(ws.router)
