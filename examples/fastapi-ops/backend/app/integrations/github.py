from app.integrations.http import github_client


def list_recent_commits(repo: str, token: str, limit: int = 20) -> list[dict]:
    response = github_client.get(
        f"/repos/{repo}/commits",
        params={"per_page": limit},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return response.json()


def open_issue(repo: str, token: str, title: str, body: str) -> dict:
    response = github_client.post(
        f"/repos/{repo}/issues",
        json={"title": title, "body": body},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return response.json()
