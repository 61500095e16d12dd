"""The web pages' routers: the resident portal under ``/h5`` and the staff console under
``/console``, mounted on the API's Litestar app by ``entrypoints.web.web_routers``."""
