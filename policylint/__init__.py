"""policylint: static analysis and access queries for AWS KMS key policies and IAM policies."""

__version__ = "0.1.0"
