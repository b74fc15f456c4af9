"""Settings for publishing, e.g. on GitHub Pages (`make publish`).

SITEURL comes from the environment so that one repository can publish under its project
path (https://<owner>.github.io/<repo>) or under a custom domain.
"""

from __future__ import annotations

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("PALABRE_SITEURL", "").rstrip("/")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
# Palabre removes the files of content that disappeared itself (a manifest in the cache
# folder) and rewrites only what changed: keeping the output is what makes a rebuild fast.
DELETE_OUTPUT_DIRECTORY = False
