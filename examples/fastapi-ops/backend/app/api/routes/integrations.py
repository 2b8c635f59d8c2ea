from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from app.api.deps import CurrentUser, DbSession
from app.integrations import github, slack
from app.models import Integration
from app.services import audit

router = APIRouter(prefix="/integrations", tags=["integrations"])


class IntegrationIn(BaseModel):
    provider: str
    api_key: str
    settings: dict = {}


@router.post("", status_code=201)
def connect_integration(body: IntegrationIn, user: CurrentUser, db: DbSession) -> dict:
    integration = Integration(owner_id=user.id, provider=body.provider, api_key=body.api_key, settings=body.settings)
    db.add(integration)
    audit.record(db, user.id, "integration.connected", provider=body.provider)
    return {"id": integration.id}


@router.post("/{integration_id}/test")
def test_integration(integration_id: int, user: CurrentUser, db: DbSession) -> dict:
    integration = db.scalars(select(Integration).where(Integration.id == integration_id, Integration.owner_id == user.id)).first()
    if integration is None:
        raise HTTPException(status_code=404, detail="Integration not found")
    if integration.provider == "slack":
        ok = slack.check_token(integration.api_key)
    else:
        ok = bool(github.list_recent_commits(integration.settings.get("repo", ""), integration.api_key, limit=1))
    return {"ok": ok}
