from sqlalchemy.orm import Session

from app.models import AuditLog


def record(db: Session, actor_id: int | None, action: str, **detail) -> None:
    db.add(AuditLog(actor_id=actor_id, action=action, detail=detail))
    db.commit()
