"""Shared test fixtures for cme/ and tests/: the personas (officer, school_user, outsider...) and clients."""

pytest_plugins = ["cme.personas"]
