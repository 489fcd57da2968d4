"""The API's modules beside app.py: the edge (routes registry, errors, OpenAPI) and one Blueprint per area."""
