"""One ``google.rpc.Status`` protobuf module for pulumi's provider server and googleapis.

pulumi's generated ``pulumi/runtime/proto/status_pb2.py`` and googleapis-common-protos'
``google/rpc/status_pb2.py`` (installed with the GCP client libraries that ``aiinfra preflight``
uses) both register the message ``google.rpc.Status`` under different file names, so whichever
is imported second fails with "duplicate symbol 'google.rpc.Status'" (a process that loads the
component package's provider and the GCP preflight checker, as a test worker does). The two
messages are the same (code, message, details): call :func:`share_google_rpc_status` before
importing ``pulumi.provider`` and one module serves both.
"""

from __future__ import annotations

import sys


def share_google_rpc_status() -> None:
    """Make ``pulumi.runtime.proto.status_pb2`` googleapis' module when googleapis is installed."""
    try:
        from google.rpc import status_pb2
    except ImportError:
        return
    sys.modules.setdefault("pulumi.runtime.proto.status_pb2", status_pb2)
