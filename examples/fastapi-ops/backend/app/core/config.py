import logging

from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    PROJECT_NAME: str = "Ops Console"
    ENVIRONMENT: str = "development"
    API_PREFIX: str = "/api"

    DATABASE_URL: str = "postgresql://ops:ops@localhost:5432/ops"
    REDIS_URL: str = "redis://localhost:6379/0"

    SECRET_KEY: str = "dev-secret-key-change-me"
    ALGORITHM: str = "HS256"
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 30
    REFRESH_TOKEN_EXPIRE_DAYS: int = 14

    CORS_ORIGINS: list[str] = ["*"]

    SLACK_WEBHOOK_URL: str = "https://hooks.slack.com/services/T000/B000/XXXX"
    GITHUB_API_URL: str = "https://api.github.com"
    UPLOAD_DIR: str = "/srv/uploads"


settings = Settings()

if settings.SECRET_KEY == "dev-secret-key-change-me":
    logger.warning("SECRET_KEY is the development default")

if "*" in settings.CORS_ORIGINS and settings.ENVIRONMENT == "production":
    logger.warning("CORS allows every origin")
