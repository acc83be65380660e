#!/usr/bin/env python3
"""Build the bilingual journal outputs: ``python build.py --lang vi`` (see README)."""

import os
import sys

from songngu.cli import main

if __name__ == "__main__":
    status = main()
    if status == 130:  # stopped: end now, without tearing down every module one by one
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
