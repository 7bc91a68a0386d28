"""The Stripe webhook receiver (``personae billing serve``)."""
