"""Personal API keys: a user's credential for scripts and services, scoped to a subset of the
user's own permission codes, on the same guard as access tokens (docs/api-keys.md)."""
