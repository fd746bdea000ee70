"""Commitments: what people said they would do differently, followed up weeks later."""
