import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.integrations import github, slack
from app.models import Integration, Workflow, WorkflowExecution

logger = logging.getLogger(__name__)


def run_step(db: Session, workflow: Workflow, step: dict) -> None:
    kind = step.get("type")
    if kind == "slack":
        slack.post_message(step["message"], step.get("channel"))
    elif kind == "github_issue":
        integration = db.scalars(select(Integration).where(Integration.owner_id == workflow.owner_id, Integration.provider == "github")).first()
        if integration is None:
            raise ValueError("github integration missing")
        github.open_issue(step["repo"], integration.api_key, step["title"], step.get("body", ""))
    else:
        raise ValueError(f"unknown step type {kind}")


def execute_workflow(db: Session, workflow: Workflow) -> WorkflowExecution:
    execution = WorkflowExecution(workflow_id=workflow.id, status="running")
    db.add(execution)
    db.commit()
    try:
        for step in workflow.steps:
            run_step(db, workflow, step)
        execution.status = "succeeded"
    except Exception as exc:
        logger.exception("workflow %s failed", workflow.id)
        execution.status = "failed"
        execution.error = str(exc)
    db.commit()
    return execution


def due_workflows(db: Session, now: datetime) -> list[Workflow]:
    return list(db.scalars(select(Workflow).where(Workflow.cron.is_not(None))).all())
