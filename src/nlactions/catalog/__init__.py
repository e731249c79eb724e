"""The integration SDK: the only nlactions module an app imports (besides ``kit``)."""

from nlactions.catalog.action import Action, ActionType, Perform
from nlactions.catalog.app import App
from nlactions.catalog.auth import ApiKeyAuth, AuthField, AuthKind, BasicAuth, FieldsAuth, NoAuth, OAuth2Auth
from nlactions.catalog.base_url import base_url_field, read_base_url
from nlactions.catalog.context import ActionContext, ChoiceContext
from nlactions.catalog.errors import (
    AppError,
    AuthExpired,
    AuthTestFailed,
    InvalidInput,
    UpstreamError,
    retry_after_seconds,
)
from nlactions.catalog.fields import (
    Choice,
    ChoiceLoader,
    ChoicePage,
    Gives,
    GiveSpec,
    Needs,
    NeedSpec,
    NeedType,
    give,
    gives_of,
    need,
    needs_of,
)
from nlactions.catalog.http_errors import error_message, is_rate_limited, rate_limit_error, retry_delay, status_error
from nlactions.catalog.pagination import cursor_params, link_cursor
from nlactions.catalog.registry import Registry, load_registry

__all__ = [
    "Action",
    "ActionContext",
    "ActionType",
    "ApiKeyAuth",
    "App",
    "AppError",
    "AuthExpired",
    "AuthField",
    "AuthKind",
    "AuthTestFailed",
    "BasicAuth",
    "Choice",
    "ChoiceContext",
    "ChoiceLoader",
    "ChoicePage",
    "FieldsAuth",
    "GiveSpec",
    "Gives",
    "InvalidInput",
    "NeedSpec",
    "NeedType",
    "Needs",
    "NoAuth",
    "OAuth2Auth",
    "Perform",
    "Registry",
    "UpstreamError",
    "base_url_field",
    "cursor_params",
    "error_message",
    "give",
    "gives_of",
    "is_rate_limited",
    "link_cursor",
    "load_registry",
    "need",
    "needs_of",
    "rate_limit_error",
    "read_base_url",
    "retry_after_seconds",
    "retry_delay",
    "status_error",
]
