import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModel } from '../../../test/helpers/fixture.js';

test('flask: blueprints registered with url_prefix in a factory, route methods, MethodView, Flask-RESTful resources, before_request', async () => {
  const m = await scanModel({
    'app/__init__.py': `
from flask import Flask
from flask_restful import Api
from app.api import bp as api_bp, ItemView
from app.resources import Thing

def create_app():
    app = Flask(__name__)
    app.register_blueprint(api_bp, url_prefix="/api/v2")
    app.add_url_rule("/items/<int:item_id>", view_func=ItemView.as_view("item"))
    api = Api(app)
    api.add_resource(Thing, "/things/<string:name>")
    return app
`,
    'app/api.py': `
import requests
from flask import Blueprint, request
from flask.views import MethodView

bp = Blueprint("api", __name__, url_prefix="/api")

@bp.before_request
def auth():
    requests.get("https://idp.example.com/introspect", timeout=3)

@bp.route("/users", methods=["GET", "POST"])
def users():
    return []

@bp.delete("/users/<int:uid>")
def delete_user(uid):
    return ""

class ItemView(MethodView):
    def get(self, item_id):
        return {}

    def put(self, item_id):
        return {}
`,
    'app/resources.py': `
from flask_restful import Resource

class Thing(Resource):
    def get(self, name):
        return {}
`,
  });
  assert.deepEqual(m.nodes.filter((n) => n.kind === 'entrypoint').map((n) => n.id).sort(), [
    'entrypoint:DELETE /api/v2/users/:uid', 'entrypoint:GET /api/v2/users', 'entrypoint:GET /items/:item_id', 'entrypoint:GET /things/:name', 'entrypoint:POST /api/v2/users', 'entrypoint:PUT /items/:item_id',
  ]);
  assert.ok(m.edges.some((e) => e.to === 'external:idp.example.com' && e.entrypoints?.includes('entrypoint:DELETE /api/v2/users/:uid')), 'before_request runs before the blueprint routes');
  assert.equal(m.edges.some((e) => e.to === 'external:idp.example.com' && e.entrypoints?.includes('entrypoint:GET /things/:name')), false);
});

test('flask: Flask-SQLAlchemy models (db.Model) and db.session are the database', async () => {
  const m = await scanModel({
    'app/ext.py': `
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
`,
    'app/models.py': `
from app.ext import db
class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
`,
    'app/views.py': `
from flask import Flask
from app.ext import db
from app.models import User
app = Flask(__name__)

@app.get("/users/<int:uid>")
def get_user(uid):
    return {"email": User.query.filter_by(id=uid).first().email}

@app.post("/users")
def create_user():
    db.session.add(User())
    db.session.commit()
    return "", 201
`,
  });
  const kinds = m.edges.filter((e) => e.to === 'datastore:postgres').map((e) => `${e.kind}${e.guards.transaction ? ' tx' : ''}@${e.evidence[0].line}`).sort();
  assert.deepEqual(kinds, ['reads@9', 'writes tx@13', 'writes@14']);
});
