"""What the citizen is told when their dossier changes: events, versioned templates and messages."""
