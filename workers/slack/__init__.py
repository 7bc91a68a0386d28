"""Delivery to Slack from workers, over the Web API only (``chat.postMessage``; no Socket Mode
or HTTP endpoint needed to post)."""
