"""Self-service accounts: registration, email verification and change, forgot/reset password,
invitations, and the set-your-password mail of an administrator's new user."""
