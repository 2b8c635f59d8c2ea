import logging
from collections import defaultdict

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.core.security import decode_token

logger = logging.getLogger(__name__)

router = APIRouter()


class ConnectionManager:
    def __init__(self) -> None:
        self.active: dict[int, list[WebSocket]] = defaultdict(list)

    async def connect(self, user_id: int, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active[user_id].append(websocket)

    def disconnect(self, user_id: int, websocket: WebSocket) -> None:
        if websocket in self.active.get(user_id, []):
            self.active[user_id].remove(websocket)

    async def broadcast(self, user_id: int, message: dict) -> None:
        for websocket in list(self.active.get(user_id, [])):
            try:
                await websocket.send_json(message)
            except RuntimeError:
                self.disconnect(user_id, websocket)


manager = ConnectionManager()


@router.websocket("/ws/{token}")
async def events_socket(websocket: WebSocket, token: str) -> None:
    user_id = int(decode_token(token, "access"))
    await manager.connect(user_id, websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        manager.disconnect(user_id, websocket)
        logger.info("websocket closed for user %s", user_id)
