"""Prices: dated overlays from the clouds' price APIs, discounts, and the price book.

- ``overlay``: the price overlay file (one row per offer, region and capacity; JSON Schema in
  ``overlay.schema.json``) and discounts.
- ``book``: the :class:`~components.prices.book.PriceBook` the plan and the policy pack both
  price from (catalog list prices, overlaid, discounted).
- ``sources``: where overlays come from (``plan --prices``, the stack setting
  ``aiinfra:prices``, the pack's ``prices`` config).
- ``policy``: applies a book to the policy pack's normalized view.
- ``azure`` / ``aws`` / ``gcp``: fetchers for the Retail Prices API, the Price List Query API
  with EC2 spot history, and the Cloud Billing Catalog API; ``refresh`` and ``command``: the
  ``aiinfra prices`` command; ``catalog_update``: the maintainers' catalog refresh.
"""
