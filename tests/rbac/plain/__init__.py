"""A test-only domain whose routes change access the plain way: through services, in the
request's session, calling nothing about caches or sessions."""
