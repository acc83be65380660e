"""songngu: parallel English and Vietnamese content in YAML, typeset as journal PDF and HTML."""

__version__ = "0.1.0"
