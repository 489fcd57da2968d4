"""The motcua REST API on Chalice: the app and its areas; each area's routes are a Blueprint in chalicelib."""

import os

from chalice.app import Chalice

from chalicelib import deps
from chalicelib.http.middleware import install
from chalicelib.routes import (
    appointments,
    auth,
    catalog,
    counter,
    day_bookings,
    dossiers,
    drafts,
    feedback,
    indicators,
    meta,
    obligations,
    payment_receipts,
    payments,
    privacy,
    queue,
    ratings,
    refunds,
    results,
    statistics,
    tasks,
    tracking,
)

app = Chalice(app_name="motcua-api")
# PDFs both ways: documents and results answered, results sent to POST /v1/verify.
app.api.binary_types.append("application/pdf")
# A citizen's export (GET /v1/me/export).
app.api.binary_types.append("application/zip")
# The statistics' tables (GET /v1/statistics/export).
app.api.binary_types.extend(["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"])
install(app)

for routes in (
    catalog,
    dossiers,
    drafts,
    tracking,
    tasks,
    results,
    privacy,
    auth,
    meta,
    counter,
    queue,
    appointments,
    statistics,
    indicators,
    day_bookings,
    payments,
    feedback,
    ratings,
    obligations,
    payment_receipts,
    refunds,
):
    app.register_blueprint(routes.area.blueprint)

# On Lambda with SnapStart this init runs once, when a version is published, and is snapshotted.
if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
    deps.prime()
