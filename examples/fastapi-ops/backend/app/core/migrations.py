from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.core.database import engine

ALEMBIC_INI = "alembic.ini"


def pending_migrations() -> list[str]:
    script = ScriptDirectory.from_config(Config(ALEMBIC_INI))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(script.get_heads())
    return sorted(heads - current)
