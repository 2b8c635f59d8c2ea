import asyncio
from datetime import datetime

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select, text

from app.api.deps import CurrentUser, DbSession
from app.api.routes.ws import manager
from app.core.cache import cache
from app.models import Event
from app.services.batch_processor import process_event_batch
from app.services.patterns import analyze_patterns

router = APIRouter(prefix="/events", tags=["events"])


class EventIn(BaseModel):
    kind: str
    payload: dict = {}
    occurred_at: datetime | None = None


@router.post("", status_code=201)
async def create_event(body: EventIn, user: CurrentUser, db: DbSession) -> dict:
    event = Event(user_id=user.id, kind=body.kind, payload=body.payload, occurred_at=body.occurred_at or datetime.utcnow())
    db.add(event)
    db.commit()
    cache.invalidate(f"events:{user.id}")
    await manager.broadcast(user.id, {"type": "event", "id": event.id, "kind": event.kind})
    asyncio.create_task(analyze_patterns(user.id))
    return {"id": event.id}


@router.post("/batch", status_code=202)
def create_events_batch(items: list[EventIn], user: CurrentUser) -> dict:
    job = process_event_batch.delay(user.id, [item.model_dump(mode="json") for item in items])
    return {"job_id": job.id, "accepted": len(items)}


@router.get("")
def list_events(user: CurrentUser, db: DbSession, limit: int = Query(50, le=200)) -> list[dict]:
    key = f"events:{user.id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = db.scalars(select(Event).where(Event.user_id == user.id).order_by(Event.occurred_at.desc()).limit(limit)).all()
    result = [{"id": e.id, "kind": e.kind, "occurred_at": e.occurred_at.isoformat()} for e in rows]
    cache.set(key, result, ttl=60)
    return result


@router.get("/search")
def search_events(q: str, user: CurrentUser, db: DbSession) -> list[dict]:
    rows = db.execute(text(f"SELECT id, kind FROM events WHERE user_id = {user.id} AND kind ILIKE '%{q}%' ORDER BY occurred_at DESC LIMIT 50")).all()
    return [{"id": r.id, "kind": r.kind} for r in rows]


@router.get("/{event_id}")
def get_event(event_id: int, user: CurrentUser, db: DbSession) -> dict:
    row = db.execute(text("SELECT id, kind, payload FROM events WHERE id = :id AND user_id = :uid"), {"id": event_id, "uid": user.id}).first()
    if row is None:
        raise HTTPException(status_code=404, detail="Event not found")
    return {"id": row.id, "kind": row.kind, "payload": row.payload}
