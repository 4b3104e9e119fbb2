"""Shared test support: provider-SDK input checks and spec fixtures."""
