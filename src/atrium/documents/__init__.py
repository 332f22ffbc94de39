"""Documents: Markdown documents with tags, shares, revisions, trash and live updates (MongoDB)."""
