"""Authentication: RSA-encrypted login, JWT access tokens, rotating refresh sessions."""
