"""The local stack (`make dev`): moto on loopback, the API and the portal; see docs/local-stack.md."""
