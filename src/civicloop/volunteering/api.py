"""REST endpoints of this app, mounted under /api/v1/ by civicloop.api."""

from ninja import Router

router = Router()
