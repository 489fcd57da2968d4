"""Domain services: one per use case, each taking its ports as arguments."""
