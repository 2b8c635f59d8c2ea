import logging
from datetime import datetime

from app.core.database import SessionLocal
from app.models import Event
from app.workers.celery_app import celery_app

logger = logging.getLogger(__name__)

MAX_BATCH = 1000


def _parse(raw: dict, user_id: int) -> Event:
    return Event(
        user_id=user_id,
        kind=raw["kind"],
        payload=raw.get("payload", {}),
        occurred_at=datetime.fromisoformat(raw["occurred_at"]) if raw.get("occurred_at") else None,
    )


def validate_batch(items: list[dict]) -> list[dict]:
    if len(items) > MAX_BATCH:
        raise ValueError(f"batch larger than {MAX_BATCH}")
    return [item for item in items if item.get("kind")]


def summarize(items: list[dict]) -> dict:
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    return kinds


@celery_app.task(name="events.process_batch")
def process_event_batch(user_id: int, items: list[dict]) -> int:
    valid = validate_batch(items)
    with SessionLocal() as db:
        with db.begin():
            db.add_all(_parse(raw, user_id) for raw in valid)
    logger.info("stored %d events for user %s: %s", len(valid), user_id, summarize(valid))
    return len(valid)
