"""The motcua REST API on Chalice: the app and its areas; each area's routes are a Blueprint in chalicelib."""

from chalice.app import Chalice

from chalicelib.edge import install
from chalicelib.routes import auth, catalog, dossiers, meta, tasks, tracking

app = Chalice(app_name="motcua-api")
install(app)

for routes in (catalog, dossiers, tracking, tasks, auth, meta):
    app.register_blueprint(routes.area.blueprint)
