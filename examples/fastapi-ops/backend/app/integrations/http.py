import httpx

from app.core.config import settings

github_client = httpx.Client(
    base_url=settings.GITHUB_API_URL,
    timeout=httpx.Timeout(10.0, connect=3.0),
    headers={"Accept": "application/vnd.github+json"},
)
