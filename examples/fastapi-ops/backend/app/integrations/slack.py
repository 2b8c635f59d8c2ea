import logging

import requests

from app.core.config import settings

logger = logging.getLogger(__name__)


def post_message(text: str, channel: str | None = None) -> None:
    payload = {"text": text}
    if channel:
        payload["channel"] = channel
    response = requests.post(settings.SLACK_WEBHOOK_URL, json=payload)
    if response.status_code >= 400:
        logger.error("slack webhook failed: %s %s", response.status_code, response.text)
        response.raise_for_status()


def check_token(api_key: str) -> bool:
    response = requests.get("https://slack.com/api/auth.test", headers={"Authorization": f"Bearer {api_key}"})
    return response.ok and response.json().get("ok", False)
