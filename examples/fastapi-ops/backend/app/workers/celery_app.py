from celery import Celery
from celery.schedules import crontab

from app.core.config import settings

celery_app = Celery(
    "ops",
    broker=settings.REDIS_URL,
    backend=settings.REDIS_URL,
    include=["app.services.batch_processor", "app.workers.maintenance"],
)
celery_app.conf.update(
    task_serializer="json",
    result_expires=3600,
    worker_prefetch_multiplier=1,
)
celery_app.conf.beat_schedule = {
    "purge-audit-logs": {
        "task": "maintenance.purge_audit_logs",
        "schedule": crontab(hour=3, minute=0),
    },
}
