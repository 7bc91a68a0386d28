"""The deployment's small HTTP app (stdlib WSGI): a router (``router``) that serves the Stripe
webhook (``bots.billing.webhook``) and the media store (``media``) from one process,
``personae billing serve``."""
