"""Tests for components/spec."""
