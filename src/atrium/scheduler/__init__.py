"""Periodic tasks in SQL, the async database-backed beat scheduler, its ops API and run ledger."""
