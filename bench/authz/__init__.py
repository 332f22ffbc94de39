"""Permission check latency and the throughput cost of an authenticated, checked GET."""
