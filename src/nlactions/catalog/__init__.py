"""The integration SDK: the only nlactions module an app imports (besides ``kit``).

Custom needs
------------
Some inputs exist only once another input is known: a table's columns, a spreadsheet's headers.
Flag the deciding needs ``need(..., alters_custom_fields=True)`` and give the action a loader::

    async def columns(ctx: ChoiceContext) -> list[NeedSpec]:      # ctx.params == {"table": "customers"}
        return [NeedSpec(key="email", label="Email", type="str", required=False), ...]

    Action(..., input=Input, custom_needs=columns, perform=perform)

    async def perform(ctx: ActionContext, params: Input) -> ...:
        params.custom                                              # {"email": "ana@example.com"}

The server resolves custom needs as a last layer (hints, locked values, the instructions), validates
their values against their specs' types, accepts their keys in execute params, lists them in action
details once the deciding params are given, and caches the loader like a choice loader. Custom needs
carry static choices only. The conformance suite checks that a flagged action has a loader.
Details: ``nlactions.catalog.custom``.
"""

from nlactions.catalog.action import Action, ActionType, Perform
from nlactions.catalog.app import App
from nlactions.catalog.auth import (
    ApiKeyAuth,
    AuthField,
    AuthKind,
    BasicAuth,
    FieldsAuth,
    NoAuth,
    OAuth2Auth,
    SideToken,
    TokenFields,
    bearer_auth,
    standard_token_fields,
)
from nlactions.catalog.base_url import base_url_field, read_base_url
from nlactions.catalog.context import ActionContext, ChoiceContext, ServiceContext
from nlactions.catalog.custom import CustomNeedsLoader
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
from nlactions.catalog.suggest import closest_choices, named_choices

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
    "CustomNeedsLoader",
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
    "ServiceContext",
    "SideToken",
    "TokenFields",
    "UpstreamError",
    "base_url_field",
    "bearer_auth",
    "closest_choices",
    "cursor_params",
    "error_message",
    "give",
    "gives_of",
    "is_rate_limited",
    "link_cursor",
    "load_registry",
    "named_choices",
    "need",
    "needs_of",
    "rate_limit_error",
    "read_base_url",
    "retry_after_seconds",
    "retry_delay",
    "standard_token_fields",
    "status_error",
]
