"""To-dos: tasks a user owns and may assign to another, with due-date reminders (SQL)."""
