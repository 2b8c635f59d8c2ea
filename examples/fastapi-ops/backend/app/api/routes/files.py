import os
import uuid

from fastapi import APIRouter, UploadFile

from app.api.deps import CurrentUser
from app.core.config import settings

router = APIRouter(prefix="/files", tags=["files"])


@router.post("/upload", status_code=201)
async def upload_file(file: UploadFile, user: CurrentUser) -> dict:
    name = f"{uuid.uuid4().hex}-{os.path.basename(file.filename or 'upload')}"
    path = os.path.join(settings.UPLOAD_DIR, str(user.id), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        while chunk := await file.read(1024 * 1024):
            out.write(chunk)
    return {"name": name}
