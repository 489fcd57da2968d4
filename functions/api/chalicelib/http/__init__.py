"""The API's HTTP layer: how a route is declared, who may call it, its input read, its answer shaped."""
