"""The console community: a local channel in the terminal, for the demo and end-to-end tests."""
