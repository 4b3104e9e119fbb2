"""The EC2 instance-type data that ships with moto (DescribeInstanceTypes output), read once.

Tests cross-check the AWS catalog rows and the policy pack's disk limits against it, offline.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources
from typing import Any


@functools.cache
def instance_types() -> dict[str, Any]:
    """Instance type name -> its DescribeInstanceTypes entry."""
    data = resources.files("moto.ec2").joinpath("resources", "instance_types.json.gz").read_bytes()
    types: dict[str, Any] = json.loads(gzip.decompress(data))
    return types
