"""The append-only, hash-chained log every feature writes through (imports no feature;
its browsing page is ``admin.audit_log``)."""
