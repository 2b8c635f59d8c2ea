import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete

from app.core.database import SessionLocal
from app.models import AuditLog
from app.workers.celery_app import celery_app

logger = logging.getLogger(__name__)


@celery_app.task(name="maintenance.purge_audit_logs", autoretry_for=(Exception,), max_retries=3, retry_backoff=True, retry_jitter=True)
def purge_audit_logs(days: int = 90) -> int:
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    with SessionLocal() as db:
        result = db.execute(delete(AuditLog).where(AuditLog.created_at < cutoff))
        db.commit()
    logger.info("purged %d audit rows", result.rowcount)
    return result.rowcount
