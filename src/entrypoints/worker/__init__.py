"""`estate worker`: the outbox dispatcher and the scheduled jobs (docs/worker.md)."""
