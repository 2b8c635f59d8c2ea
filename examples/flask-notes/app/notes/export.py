import requests
from flask import current_app


def push_to_webhook(notes: list[dict]) -> None:
    url = current_app.config["EXPORT_WEBHOOK_URL"]
    requests.post(url, json={"notes": notes})
