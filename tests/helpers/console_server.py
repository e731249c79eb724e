"""Serve nlactions with the test apps installed, for the browser tests: ``python console_server.py PORT``.

Settings come from the environment (``NLACTIONS_*``) as for ``nlactions serve``; the registry adds
``TestAPI`` and ``KeyedAPI`` from ``helpers.apps``, which need no outside service.
"""

from __future__ import annotations

import sys

import uvicorn

from helpers.apps import keyed_app, test_app
from nlactions.api.app import create_app
from nlactions.catalog import load_registry
from nlactions.settings import Settings


def main() -> None:
    """Build the app on the environment's settings and serve it on 127.0.0.1:PORT."""
    registry = load_registry()
    registry.add(test_app)
    registry.add(keyed_app)
    app = create_app(Settings(), registry=registry)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
