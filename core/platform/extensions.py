"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from core.platform.api import Api
from core.platform.db import db

migrate = Migrate()
api = Api()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
csrf = CSRFProtect()
bootstrap = Bootstrap5()

__all__ = ["api", "babel", "bootstrap", "csrf", "db", "limiter", "migrate"]
