"""A domain that exists only in the realtime tests: socket events that misbehave."""
