from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
cors = CORS()
limiter = Limiter(get_remote_address, default_limits=["200 per hour"])
