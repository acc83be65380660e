#!/usr/bin/env python3
"""Build the bilingual journal outputs: ``python build.py --lang vi`` (see README)."""

import sys

from songngu.cli import main

if __name__ == "__main__":
    sys.exit(main())
