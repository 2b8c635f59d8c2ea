from flask import Blueprint, abort, jsonify, request, session
from sqlalchemy import text

from app.extensions import db
from app.models import Note
from app.notes.export import push_to_webhook

bp = Blueprint("notes", __name__)


@bp.before_request
def require_login():
    if "user_id" not in session:
        abort(401)


@bp.get("")
def list_notes():
    notes = Note.query.filter_by(owner_id=session["user_id"]).order_by(Note.created_at.desc()).limit(100).all()
    return jsonify([{"id": n.id, "title": n.title} for n in notes])


@bp.post("")
def create_note():
    data = request.get_json()
    note = Note(owner_id=session["user_id"], title=data["title"], body=data.get("body", ""))
    db.session.add(note)
    db.session.commit()
    return jsonify(id=note.id), 201


@bp.get("/<int:note_id>")
def get_note(note_id: int):
    note = db.session.get(Note, note_id)
    if note is None or note.owner_id != session["user_id"]:
        abort(404)
    return jsonify(id=note.id, title=note.title, body=note.body)


@bp.delete("/<int:note_id>")
def delete_note(note_id: int):
    note = db.session.get(Note, note_id)
    if note is None or note.owner_id != session["user_id"]:
        abort(404)
    db.session.delete(note)
    db.session.commit()
    return "", 204


@bp.get("/search")
def search_notes():
    term = request.args.get("q", "")
    rows = db.session.execute(text(f"SELECT id, title FROM note WHERE owner_id = :owner AND title ILIKE '%{term}%'"), {"owner": session["user_id"]}).all()
    return jsonify([{"id": r.id, "title": r.title} for r in rows])


@bp.post("/export")
def export_notes():
    notes = Note.query.filter_by(owner_id=session["user_id"]).all()
    push_to_webhook([{"id": n.id, "title": n.title, "body": n.body} for n in notes])
    return "", 202
