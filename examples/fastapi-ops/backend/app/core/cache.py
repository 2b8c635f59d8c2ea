import json
import logging
import time
from typing import Any

import redis

from app.core.config import settings

logger = logging.getLogger(__name__)


class CacheService:
    def __init__(self) -> None:
        self.redis = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=2,
            socket_connect_timeout=2,
        )
        self._local: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        try:
            raw = self.redis.get(key)
            return json.loads(raw) if raw else None
        except redis.RedisError:
            logger.warning("redis unavailable, reading the in-process cache")
            entry = self._local.get(key)
            if entry and entry[0] > time.time():
                return entry[1]
            return None

    def set(self, key: str, value: Any, ttl: int = 300) -> None:
        try:
            self.redis.setex(key, ttl, json.dumps(value, default=str))
        except redis.RedisError:
            logger.warning("redis unavailable, caching in process")
            self._local[key] = (time.time() + ttl, value)

    def invalidate(self, key: str) -> None:
        self._local.pop(key, None)
        try:
            self.redis.delete(key)
        except redis.RedisError:
            logger.warning("redis unavailable, %s not invalidated", key)

    def ping(self) -> bool:
        return bool(self.redis.ping())


cache = CacheService()
