"""USSD fixtures live in tests/conftest.py (`dial`), shared with the provider tests."""
