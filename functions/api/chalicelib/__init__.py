"""The API's modules beside app.py: its HTTP layer (http/), errors, OpenAPI and one Blueprint per area."""
