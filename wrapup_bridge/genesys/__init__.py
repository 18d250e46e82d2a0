"""Everything that knows Genesys Cloud and nothing of legacy platforms.

Regions and settings (``regions``, ``settings``), typed errors that explain themselves (``errors``), OAuth
client credentials (``auth``), client-side rate limiting (``ratelimit``), the HTTP client with retries inside a
time budget (``http``) and the wrap-up code catalog (``catalog``). Nothing is imported here on purpose: the
package is imported by code paths (webhooks, serverless handlers) where each module pays for itself only when
it is used.
"""
