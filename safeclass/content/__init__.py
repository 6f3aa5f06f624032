"""Content as data: strict models for lessons, training, quizzes and campaigns, and their loader."""

from safeclass.content.catalog import Catalog, ContentError
from safeclass.content.loader import load_catalog, load_file

__all__ = ["Catalog", "ContentError", "load_catalog", "load_file"]
