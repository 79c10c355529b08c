"""What tests share: builders, harnesses and fixtures. Test modules import from here and from tests/fakes,
never from each other (tests/test_architecture.py checks it)."""
