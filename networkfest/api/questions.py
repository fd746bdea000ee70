"""PLACEHOLDER: replaced by a domain helper."""
