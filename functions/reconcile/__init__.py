"""The reconciliation function: once a day, the gateway's list of the day before against our orders."""
