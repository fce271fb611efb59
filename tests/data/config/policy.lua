-- Fixture for tests/unit/test_config.c: the config loader only checks
-- that a policy file exists; this one is never run.
return {}
