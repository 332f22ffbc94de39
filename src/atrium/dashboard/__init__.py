"""The dashboard: real figures over a time range, and each user's own widgets."""
