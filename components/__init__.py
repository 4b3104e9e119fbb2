"""ai-infra: Pulumi components that provision AI accelerator infrastructure on GCP, Azure and
AWS from one cloud-neutral fleet spec.

Layers (each a subpackage): ``spec`` (schema, model, checks), ``catalog`` (accelerator
offers, fabrics, TPU topologies, storage limits, prices: data), ``gcp``/``azure``/``aws``
(ComponentResources and pure translate functions), ``fleet`` (the cloud-neutral entry
point), ``cli`` (the ``aiinfra`` command). Importing this package imports no cloud SDK.
"""

__version__ = "0.1.0"
