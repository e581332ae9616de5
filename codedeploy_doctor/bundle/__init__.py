"""Revision bundles, read a little: a zip's directory from its last bytes, tar listings, the AppSpec file, and checks.

Pure: no AWS here. ``cd-doctor lint`` reads local bundles (``bundle.local``); the live collector
reads S3 bundles by ranges (``aws.revision``) through the same parsers; the diagnosis turns what
was read into facts for the catalog (``bundle.facts``).
"""
