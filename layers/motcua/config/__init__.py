"""Configuration: the province file and the runtime settings, each read once at start."""
