from flask import Flask

from app.auth.routes import bp as auth_bp
from app.config import Config
from app.extensions import cors, db, limiter
from app.notes.routes import bp as notes_bp


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_object(Config)
    db.init_app(app)
    cors.init_app(app, supports_credentials=True)
    limiter.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(notes_bp, url_prefix="/api/notes")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
