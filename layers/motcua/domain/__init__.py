"""The domain: procedures, dossiers, statuses, codes and the working-day calendar (no boto3 here)."""
