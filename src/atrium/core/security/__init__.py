"""Security primitives: the RSA login key ring, JWTs and password hashing."""
