"""Routes the authz benchmark calls (mounted only by the benchmark's server)."""
