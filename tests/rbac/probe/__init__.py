"""A test-only domain: cheap permission-protected routes to probe the check with."""
