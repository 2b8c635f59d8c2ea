import logging
from collections import Counter

from sqlalchemy import select

from app.core.database import SessionLocal
from app.models import Event, Pattern

logger = logging.getLogger(__name__)


async def analyze_patterns(user_id: int) -> None:
    with SessionLocal() as db:
        events = db.scalars(select(Event).where(Event.user_id == user_id).order_by(Event.occurred_at.desc()).limit(500)).all()
        counts = Counter(e.kind for e in events)
        db.query(Pattern).filter(Pattern.user_id == user_id).delete()
        db.add_all(Pattern(user_id=user_id, name=kind, score=n / len(events)) for kind, n in counts.most_common(5))
        db.commit()
    logger.info("patterns updated for user %s", user_id)
