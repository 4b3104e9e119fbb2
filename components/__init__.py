"""ai-infra: Pulumi components that provision AI accelerator infrastructure on GCP, Azure and
AWS from one cloud-neutral fleet spec.

Layers (each a subpackage): ``spec`` (schema, model, checks), ``catalog`` (accelerator
offers, fabrics, TPU topologies, storage limits, prices: data), ``gcp``/``azure``/``aws``
(ComponentResources and pure translate functions), ``fleet`` (the cloud-neutral entry
point), ``cli`` (the ``aiinfra`` command). Importing this package imports no cloud SDK.
"""


def __getattr__(name: str) -> str:
    """``__version__``: the installed distribution's version (pyproject.toml, one source of truth),
    looked up on first use (importlib.metadata costs tens of milliseconds at every start)."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ai-infra")
    except PackageNotFoundError:  # run from a checkout without installing
        return "0.0.0+unknown"
