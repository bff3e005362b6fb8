"""gunicorn settings for production: ``gunicorn msp.wsgi -c msp/gunicorn_conf.py``.

Every value can be overridden with GUNICORN_* environment variables or on
the command line. The app keeps no state on local disk, so any number of
these servers can run behind a load balancer.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# One line per request, without the query string (it may hold search terms
# such as a person's name).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
