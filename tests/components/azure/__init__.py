"""Tests of the Azure components (translate, rules, mock-engine runs)."""
