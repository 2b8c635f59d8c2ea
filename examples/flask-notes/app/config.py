import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "postgresql://notes:notes@localhost:5432/notes")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 5, "max_overflow": 5, "pool_pre_ping": True}
    EXPORT_WEBHOOK_URL = os.environ.get("EXPORT_WEBHOOK_URL", "")
