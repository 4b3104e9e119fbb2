"""Tests for components/catalog."""
