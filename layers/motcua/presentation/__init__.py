"""Presentation: view models in the caller's language, apart from the services that decide."""
