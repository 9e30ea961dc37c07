"""The ASGI application: the tier that serves meeting mode's server-sent events (``/meetings/<id>/events/``).

Run it with uvicorn (``uvicorn tumorboard.asgi:application``); the WSGI tier serves everything else. The
event stream is a long-lived response that only an ASGI server keeps open without holding a worker, so
this tier has the stream on by default (``MEETINGS_EVENTSTREAM``); both tiers share the events through
``REDIS_URL`` (docs/meetings.md, "Serving the event stream").
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.local")
os.environ.setdefault("MEETINGS_EVENTSTREAM", "true")
application = get_asgi_application()
