"""A small domain used by the contract tests: validation, expected errors and a bug."""
