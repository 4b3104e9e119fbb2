"""ai-infra: Pulumi components that provision AI accelerator infrastructure on GCP, Azure and
AWS from one cloud-neutral fleet spec.

Layers (each a subpackage): ``spec`` (schema, model, checks), ``catalog`` (accelerator
offers, fabrics, TPU topologies, storage limits, prices: data), ``gcp``/``azure``/``aws``
(ComponentResources and pure translate functions), ``fleet`` (the cloud-neutral entry
point), ``cli`` (the ``aiinfra`` command). Importing this package imports no cloud SDK.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

try:  # the installed distribution's version (pyproject.toml), one source of truth
    __version__ = _dist_version("ai-infra")
except PackageNotFoundError:  # run from a checkout without installing
    __version__ = "0.0.0+unknown"
