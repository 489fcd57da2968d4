"""The motcua REST API on Chalice: the app and its areas; each area's routes are a Blueprint in chalicelib."""

from chalice.app import Chalice

from chalicelib.http.middleware import install
from chalicelib.routes import auth, catalog, dossiers, meta, privacy, results, tasks, tracking

app = Chalice(app_name="motcua-api")
# PDFs both ways: documents and results answered, results sent to POST /v1/verify.
app.api.binary_types.append("application/pdf")
# A citizen's export (GET /v1/me/export).
app.api.binary_types.append("application/zip")
install(app)

for routes in (catalog, dossiers, tracking, tasks, results, privacy, auth, meta):
    app.register_blueprint(routes.area.blueprint)
