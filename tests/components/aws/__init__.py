"""Tests for components/aws."""
