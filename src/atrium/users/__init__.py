"""Users: the user table and its basic identity operations."""
