"""Login latency under concurrency, and event-loop health while logins run."""
