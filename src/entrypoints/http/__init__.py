"""The HTTP entrypoint (Litestar): the API, the pages and the gateway webhooks."""
