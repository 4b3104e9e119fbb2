"""Preflight: live checks against cloud APIs (quota, offerings, reservations)."""
