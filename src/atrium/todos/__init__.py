"""The todos domain: rows each user owns (SQL), counted by a task (MongoDB)."""
