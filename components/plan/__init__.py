"""Offline plan: run the program on Pulumi's mock engine, drive the policy pack, price, render."""
