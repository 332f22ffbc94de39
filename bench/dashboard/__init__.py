"""The dashboard benchmark: a year of a busy small company, then each figure timed."""
