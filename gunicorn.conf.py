"""gunicorn settings shared by `make run`, docker-compose and the Dockerfile (passed with --config).

gunicorn writes its own `Server: gunicorn` header on every response, before the application sees it, so no
Django middleware can remove it; it names the software (and, in SERVER_SOFTWARE, its version) to anyone
probing. gunicorn has no setting for it: the name it uses is a module constant, set here to a neutral word
before any worker starts (issue 14 finding 12)."""

from __future__ import annotations

import gunicorn
import gunicorn.arbiter
import gunicorn.http.wsgi

NEUTRAL_SERVER = "web"

gunicorn.SERVER = NEUTRAL_SERVER
gunicorn.SERVER_SOFTWARE = NEUTRAL_SERVER
gunicorn.http.wsgi.SERVER = NEUTRAL_SERVER
gunicorn.http.wsgi.SERVER_SOFTWARE = NEUTRAL_SERVER
gunicorn.arbiter.SERVER_SOFTWARE = NEUTRAL_SERVER
