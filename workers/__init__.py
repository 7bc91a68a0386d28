"""RQ workers: jobs, the RQ job queue, the Redis event stream, outboxes and the composition root."""
