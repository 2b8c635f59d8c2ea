from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from app.api.deps import CurrentUser, DbSession
from app.models import Workflow
from app.services.workflow_scheduler import execute_workflow

router = APIRouter(prefix="/workflows", tags=["workflows"])


class WorkflowIn(BaseModel):
    name: str
    steps: list[dict]
    cron: str | None = None


@router.get("")
def list_workflows(user: CurrentUser, db: DbSession) -> list[dict]:
    rows = db.scalars(select(Workflow).where(Workflow.owner_id == user.id).order_by(Workflow.id).limit(100)).all()
    return [{"id": w.id, "name": w.name, "cron": w.cron} for w in rows]


@router.post("", status_code=201)
def create_workflow(body: WorkflowIn, user: CurrentUser, db: DbSession) -> dict:
    workflow = Workflow(owner_id=user.id, name=body.name, steps=body.steps, cron=body.cron)
    db.add(workflow)
    db.commit()
    return {"id": workflow.id}


@router.post("/{workflow_id}/execute")
def run_workflow(workflow_id: int, user: CurrentUser, db: DbSession) -> dict:
    workflow = db.get(Workflow, workflow_id)
    if workflow is None or workflow.owner_id != user.id:
        raise HTTPException(status_code=404, detail="Workflow not found")
    execution = execute_workflow(db, workflow)
    return {"execution_id": execution.id, "status": execution.status}
