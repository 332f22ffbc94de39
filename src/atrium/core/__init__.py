"""Small named modules shared by every domain."""
