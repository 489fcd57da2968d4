"""One Blueprint per area of the API."""
