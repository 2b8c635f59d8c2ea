from flask import Blueprint, abort, jsonify, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, limiter
from app.models import Note, User

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/register")
@limiter.limit("5 per minute")
def register():
    data = request.get_json()
    user = User(email=data["email"], password_hash=generate_password_hash(data["password"]))
    db.session.add(user)
    db.session.add(Note(owner_id=user.id, title="Welcome", body="Your first note"))
    db.session.commit()
    return jsonify(id=user.id), 201


@bp.post("/login")
@limiter.limit("10 per minute")
def login():
    data = request.get_json()
    user = User.query.filter_by(email=data["email"]).first()
    if user is None or not check_password_hash(user.password_hash, data["password"]):
        abort(401)
    session["user_id"] = user.id
    return jsonify(id=user.id)
