import logging

from fastapi import Request
from fastapi.responses import JSONResponse
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

logger = logging.getLogger(__name__)


limiter = Limiter(key_func=get_remote_address, default_limits=["120/minute"])


def rate_limit_exceeded(request: Request, exc: RateLimitExceeded) -> JSONResponse:
    logger.info("rate limit exceeded for %s", get_remote_address(request))
    return JSONResponse(status_code=429, content={"detail": "Too many requests"})
