"""The integration SDK: the only nlactions module an app imports (besides ``kit``)."""

from nlactions.catalog.action import Action, ActionType, Perform
from nlactions.catalog.app import App
from nlactions.catalog.auth import ApiKeyAuth, AuthField, AuthKind, BasicAuth, FieldsAuth, NoAuth, OAuth2Auth
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
    "give",
    "gives_of",
    "load_registry",
    "need",
    "needs_of",
    "retry_after_seconds",
]
