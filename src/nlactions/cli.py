"""The ``nlactions`` command: serve | migrate | keys | users | auths | oauth | oauth-apps | apps | run | mcp."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from nlactions.accounts import repository as accounts_repo
from nlactions.accounts import service as accounts
from nlactions.api.runtime import Runtime, build_runtime
from nlactions.authentications import repository as auth_repo
from nlactions.authentications.service import (
    AuthenticationService,
    app_needing_auth,
    reject_unknown_fields,
)
from nlactions.catalog import App, load_registry
from nlactions.db.engine import ensure_private_dir
from nlactions.db.migrate import upgrade
from nlactions.errors import BadRequest, NLActionsError, NotFound
from nlactions.execute.schemas import ParamConstraint
from nlactions.execute.service import ExecuteFlags, ExecutionInput, find_app
from nlactions.oauth import service as oauth
from nlactions.settings import Settings
from nlactions.signin import service as signin
from nlactions.signin.passwords import check_new_password

T = TypeVar("T")

cli = typer.Typer(help="nlactions: a self-hostable AI Actions server.", no_args_is_help=True, add_completion=False)
keys_cli = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
out = Console()
err = Console(stderr=True)


def _with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Build the runtime (the data dir owner-only when new), bring the schema up to date, run ``work``, close."""

    async def main() -> T:
        settings = Settings()
        ensure_private_dir(settings.data_dir)
        runtime = build_runtime(settings)
        try:
            await upgrade(runtime.engine)
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(main())
    except NLActionsError as exc:
        err.print(f"[red]error:[/red] {exc.message}" + (f"\n{exc.hint}" if exc.hint else ""))
        raise typer.Exit(1) from None


async def _bootstrap(runtime: Runtime) -> accounts.CreatedKey | None:
    """On an empty database, create the default account, its user and a first key (serve, run, auths add)."""
    async with runtime.sessions() as session, session.begin():
        return await accounts.bootstrap(session)


async def _bootstrap_quietly(runtime: Runtime, account: str, user: str) -> None:
    """Bootstrap when acting as the default user in the default account; say so on stderr, never showing the key."""
    if (account, user) != (accounts.DEFAULT_ACCOUNT, accounts.DEFAULT_USER_EMAIL):
        return
    created = await _bootstrap(runtime)
    if created is not None:
        err.print(
            f"Created account '{created.account_name}' for {created.user_email} with a first API key (not shown). "
            "Run `nlactions keys create` for a key to call the API with.",
            soft_wrap=True,
        )


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default NLACTIONS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (default NLACTIONS_PORT).")] = None,
) -> None:
    """Migrate, create the first account on an empty database, and serve the API."""
    import uvicorn

    from nlactions.api.app import create_app
    from nlactions.api.protocol import header_timeout_protocol

    settings = Settings()
    created = _with_runtime(_bootstrap)
    if created is not None:
        out.print(f"Created account '{created.account_name}' for {created.user_email}.")
        out.print("Your API key (shown once, store it now):")
        print(created.key, flush=True)
    bind_host = host or settings.host
    bind_port = port if port is not None else settings.port
    if created is not None:
        shown_host = "127.0.0.1" if bind_host in ("0.0.0.0", "::") else bind_host
        base = (settings.public_url or f"http://{shown_host}:{bind_port}").rstrip("/")
        out.print(
            f"Web console: {base}/console/ (first give {created.user_email} a password: "
            f"nlactions users set-password {created.user_email})",
            soft_wrap=True,
        )
    out.print(f"Database: {_safe_url(settings.effective_database_url)}")
    uvicorn.run(
        create_app(settings),
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level,
        access_log=False,
        http=header_timeout_protocol(settings.header_timeout_seconds),
    )


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date."""

    async def work(runtime: Runtime) -> None:
        return None

    _with_runtime(work)
    out.print("Database schema is up to date.")


@keys_cli.command("create")
def keys_create(
    account: Annotated[str, typer.Option(help="Account name; created if new.")] = accounts.DEFAULT_ACCOUNT,
    user: Annotated[str, typer.Option(help="User email; created if new.")] = accounts.DEFAULT_USER_EMAIL,
    name: Annotated[str, typer.Option(help="A name to tell the key apart.")] = "",
    all_accounts: Annotated[
        bool,
        typer.Option(
            "--all-accounts",
            help="Reach every account the user belongs to (now or later), not only --account.",
        ),
    ] = False,
) -> None:
    """Create an API key for one account (or all of its user's); the key is printed alone on the last line."""

    async def work(runtime: Runtime) -> accounts.CreatedKey:
        async with runtime.sessions() as session, session.begin():
            return await accounts.create_key(
                session, account_name=account, user_email=user, key_name=name, all_accounts=all_accounts
            )

    created = _with_runtime(work)
    reach = (
        f"reaching all accounts of {created.user_email}; its default is account '{created.account_name}'"
        f" (id {created.account_id})"
        if created.all_accounts
        else f"for account '{created.account_name}' only (id {created.account_id})"
    )
    out.print(f"Created key {created.key_id} {reach}.", soft_wrap=True)
    print(created.key, flush=True)


@keys_cli.command("list")
def keys_list(account: Annotated[str | None, typer.Option(help="Only this account.")] = None) -> None:
    """List API keys (prefixes only)."""

    async def work(runtime: Runtime) -> list[Any]:
        async with runtime.sessions() as session:
            account_id = None
            if account:
                row = await accounts_repo.account_by_name(session, account)
                if row is None:
                    raise NLActionsError(f"no account named {account!r}")
                account_id = row.id
            return await accounts_repo.list_keys(session, account_id)

    table = Table("id", "prefix", "account", "reaches", "user", "name", "created", "revoked")
    for key, acc, usr in _with_runtime(work):
        table.add_row(
            str(key.id),
            key.prefix + "…",
            f"{acc.name} ({acc.id})",
            "all accounts" if key.all_accounts else "this account",
            usr.email,
            key.name,
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
        )
    out.print(table)


@keys_cli.command("revoke")
def keys_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix.")]) -> None:
    """Revoke an API key."""

    async def work(runtime: Runtime) -> int:
        async with runtime.sessions() as session, session.begin():
            return (await accounts.revoke_key(session, key)).id

    out.print(f"Revoked key {_with_runtime(work)}.")


@cli.command()
def apps() -> None:
    """List installed apps and their actions."""
    table = Table("app", "name", "auth", "action", "type", "description")
    for app in sorted(load_registry(), key=lambda a: a.key):
        for i, action in enumerate(app.actions):
            table.add_row(
                app.key if i == 0 else "",
                app.name if i == 0 else "",
                app.auth.kind if i == 0 else "",
                action.key,
                action.type,
                action.description,
            )
    out.print(table)


def _parse_params(locked: list[str], guess: list[str]) -> dict[str, ParamConstraint]:
    params: dict[str, ParamConstraint] = {}
    for mode, items in (("locked", locked), ("guess", guess)):
        for item in items:
            key, sep, value = item.partition("=")
            if not sep:
                raise typer.BadParameter(f"{item!r}: write KEY=VALUE")
            params[key] = ParamConstraint(mode=mode, value=value)  # type: ignore[arg-type]
    return params


@cli.command()
def run(
    app: Annotated[str, typer.Argument(help="App key, e.g. FormatterAPI.")],
    action: Annotated[str, typer.Argument(help="Action key, e.g. text.")],
    instructions: Annotated[str, typer.Argument(help="Plain-English instructions.")] = "",
    lock: Annotated[list[str], typer.Option("--lock", "-l", help="KEY=VALUE used exactly.")] = [],  # noqa: B006
    guess: Annotated[list[str], typer.Option("--guess", "-g", help="KEY=HINT to guess from.")] = [],  # noqa: B006
    preview: Annotated[bool, typer.Option(help="Resolve only; do not run.")] = False,
    account: Annotated[str, typer.Option(help="Account name.")] = accounts.DEFAULT_ACCOUNT,
    user: Annotated[str, typer.Option(help="User email.")] = accounts.DEFAULT_USER_EMAIL,
    authentication_id: Annotated[int | None, typer.Option(help="Authentication to use.")] = None,
) -> None:
    """Execute an action from the command line through the same service as the API."""
    params = _parse_params(lock, guess)

    async def work(runtime: Runtime) -> dict[str, Any]:
        await _bootstrap_quietly(runtime, account, user)
        async with runtime.sessions() as session:
            usr = await accounts_repo.user_by_email(session, user)
            acc = await accounts_repo.account_by_name(session, account)
            member = await accounts_repo.membership(session, usr.id, acc.id) if usr and acc else None
        if usr is None or acc is None or member is None:
            raise NLActionsError(
                f"no user {user!r} in account {account!r}", hint="Create them with `nlactions keys create`."
            )
        caller = accounts.Caller(usr.id, usr.email, usr.name, usr.is_staff, acc.id, frozenset({acc.id}), 0)
        request = ExecutionInput(
            app=app,
            action=action,
            instructions=instructions,
            params=params,
            flags=ExecuteFlags(preview_only=preview),
            account_id=acc.id,
            authentication_id=authentication_id,
        )
        return await runtime.execute.execute(caller, request)

    print(json.dumps(_with_runtime(work), indent=2, default=str))


@cli.command("mcp")
def mcp_stdio(
    agentic: Annotated[
        bool, typer.Option("--agentic", help="Serve the meta-tools (search, details, execute) instead of AI actions.")
    ] = False,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="NLACTIONS_MCP_API_KEY",
            show_envvar=True,
            help="The API key the tools act for (prefer the environment variable: a flag shows in process lists).",
        ),
    ] = None,
) -> None:
    """Serve MCP over stdin/stdout for an MCP client that starts nlactions itself."""
    from nlactions.mcp.stdio import serve_stdio

    if not api_key:
        err.print("[red]error:[/red] no API key: set NLACTIONS_MCP_API_KEY or pass --api-key.")
        err.print("Create one with `nlactions keys create`.")
        raise typer.Exit(2)
    settings = Settings()
    base_url = f"http://{settings.host}:{settings.port}"

    async def work(runtime: Runtime) -> None:
        await runtime.start()
        await serve_stdio(runtime, api_key, "agentic" if agentic else "managed", base_url)

    _with_runtime(work)


auths_cli = typer.Typer(
    help="List, add, update and remove stored authentications (an app's credentials).", no_args_is_help=True
)
cli.add_typer(auths_cli, name="auths")

FieldOption = Annotated[
    list[str],
    typer.Option("--field", "-f", help="KEY=VALUE credential field; required fields not given are prompted for."),
]


def _auth_service(runtime: Runtime) -> AuthenticationService:
    return AuthenticationService(
        runtime.registry,
        runtime.box,
        runtime.http_client,
        timeout_seconds=runtime.settings.action_timeout_seconds,
    )


def _parse_fields(items: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r}: write KEY=VALUE", param_hint="--field")
        fields[key] = value
    return fields


def _prompt_fields(app: App, fields: dict[str, str], *, every: bool = False) -> dict[str, str]:
    """Ask for the app's fields not given (required ones, or all with ``every``); secrets are hidden."""
    reject_unknown_fields(app, fields)
    for spec in app.auth.fields:
        if fields.get(spec.key) or not (spec.required or every):
            continue
        value = typer.prompt(spec.label, hide_input=spec.secret, default="" if not spec.required else None)
        if value:
            fields[spec.key] = value
    return fields


async def _account_by_name(runtime: Runtime, name: str) -> int:
    async with runtime.sessions() as session:
        row = await accounts_repo.account_by_name(session, name)
    if row is None:
        raise NotFound(f"no account named {name!r}", hint="`nlactions keys list` shows the accounts.")
    return row.id


async def _stored(runtime: Runtime, auth_id: int, account: str | None) -> tuple[int, str]:
    """The account id and app of an authentication (in ``account`` when named), else a not-found error."""
    account_id = await _account_by_name(runtime, account) if account else None
    async with runtime.sessions() as session:
        row = await auth_repo.by_id(session, auth_id)
    if row is None or (account_id is not None and row.account_id != account_id):
        where = f" in account {account!r}" if account else ""
        raise NotFound(f"no authentication {auth_id}{where}", hint="`nlactions auths list` shows them.")
    return row.account_id, row.app


@auths_cli.command("list")
def auths_list(
    app: Annotated[str | None, typer.Argument(help="Only this app's, e.g. SlackAPI.")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account's.")] = None,
) -> None:
    """List stored authentications (never their credentials)."""

    async def work(runtime: Runtime) -> list[Any]:
        account_id = await _account_by_name(runtime, account) if account else None
        async with runtime.sessions() as session:
            return await auth_repo.with_owners(session, app, account_id)

    table = Table("id", "app", "title", "label", "account", "created by", "stale", "changed")
    for row, acc, usr in _with_runtime(work):
        table.add_row(
            str(row.id),
            row.app,
            row.title,
            row.label,
            f"{acc.name} ({acc.id})",
            usr.email if usr else "",
            "yes" if row.is_stale else "",
            row.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@auths_cli.command("add")
def auths_add(
    app: Annotated[str, typer.Argument(help="App key, e.g. SlackAPI.")],
    title: Annotated[str, typer.Option(help="A name to tell this connection apart.")],
    field: FieldOption = [],  # noqa: B006
    account: Annotated[str, typer.Option(help="Account name.")] = accounts.DEFAULT_ACCOUNT,
    user: Annotated[str, typer.Option(help="Email of the user it is created for.")] = accounts.DEFAULT_USER_EMAIL,
) -> None:
    """Verify credentials with the app's service and store them encrypted."""
    given = _parse_fields(field)
    try:
        target = app_needing_auth(load_registry(), app)
        reject_unknown_fields(target, given)
    except NLActionsError as exc:
        err.print(f"[red]error:[/red] {exc.message}" + (f"\n{exc.hint}" if exc.hint else ""))
        raise typer.Exit(1) from None
    fields = _prompt_fields(target, given)

    async def work(runtime: Runtime) -> Any:
        await _bootstrap_quietly(runtime, account, user)
        async with runtime.sessions() as session:
            usr = await accounts_repo.user_by_email(session, user)
            acc = await accounts_repo.account_by_name(session, account)
            member = await accounts_repo.membership(session, usr.id, acc.id) if usr and acc else None
        if usr is None or acc is None or member is None:
            raise NotFound(f"no user {user!r} in account {account!r}", hint="Create them with `nlactions keys create`.")
        async with runtime.sessions() as session, session.begin():
            return await _auth_service(runtime).create(
                session, account_id=acc.id, user_id=usr.id, app_key=app, title=title, fields=fields
            )

    row = _with_runtime(work)
    label = f" (label: {row.label})" if row.label else ""
    out.print(f"Created authentication {row.id} for {row.app} in account '{account}'{label}.", soft_wrap=True)


@auths_cli.command("update")
def auths_update(
    auth_id: Annotated[int, typer.Argument(metavar="ID", help="Authentication id.")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    field: FieldOption = [],  # noqa: B006
    reconnect: Annotated[
        bool, typer.Option(help="Enter every credential field again (prompted unless given with --field).")
    ] = False,
    account: Annotated[str | None, typer.Option(help="Only if it belongs to this account.")] = None,
) -> None:
    """Retitle an authentication and/or replace its credentials whole (verified again)."""
    given = _parse_fields(field)

    async def work(runtime: Runtime) -> Any:
        account_id, app_key = await _stored(runtime, auth_id, account)
        fields = None
        if given or reconnect:
            fields = _prompt_fields(app_needing_auth(runtime.registry, app_key), given, every=reconnect)
        async with runtime.sessions() as session, session.begin():
            return await _auth_service(runtime).update(
                session,
                account_id=account_id,
                app_key=app_key,
                auth_id=auth_id,
                title=title,
                fields=fields,
            )

    row = _with_runtime(work)
    out.print(f"Updated authentication {row.id} ({row.app}, '{row.title}').", soft_wrap=True)


@auths_cli.command("remove")
def auths_remove(
    auth_id: Annotated[int, typer.Argument(metavar="ID", help="Authentication id.")],
    account: Annotated[str | None, typer.Option(help="Only if it belongs to this account.")] = None,
) -> None:
    """Delete a stored authentication."""

    async def work(runtime: Runtime) -> None:
        account_id, app_key = await _stored(runtime, auth_id, account)
        async with runtime.sessions() as session, session.begin():
            await _auth_service(runtime).delete(session, account_id=account_id, app_key=app_key, auth_id=auth_id)

    _with_runtime(work)
    out.print(f"Removed authentication {auth_id}.", soft_wrap=True)


users_cli = typer.Typer(
    help="Create users and set the passwords they sign in to the web pages with.", no_args_is_help=True
)
cli.add_typer(users_cli, name="users")


def _read_password() -> str:
    """The new password: the first line of stdin when piped, else asked twice at a hidden prompt."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        return check_new_password(password)
    except NLActionsError as exc:
        err.print(f"[red]error:[/red] {exc.message}" + (f"\n{exc.hint}" if exc.hint else ""))
        raise typer.Exit(1) from None


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="The user's email, which they sign in with.")],
    account: Annotated[str, typer.Option(help="Account to join; created if new.")] = accounts.DEFAULT_ACCOUNT,
    name: Annotated[str, typer.Option(help="Display name (default: the part of the email before @).")] = "",
    password: Annotated[
        bool, typer.Option("--password/--no-password", help="Set a password now (stdin when piped, else a prompt).")
    ] = True,
) -> None:
    """Create a user (or add an existing one to --account), with a sign-in password."""
    secret = _read_password() if password else None

    async def work(runtime: Runtime) -> str:
        async with runtime.sessions() as session, session.begin():
            user = await signin.create_user(session, email=email.strip(), account_name=account, name=name)
            if secret is not None:
                await signin.set_password(session, email=user.email, password=secret)
            return user.email

    made = _with_runtime(work)
    how = "with a password" if secret is not None else "without a password (`nlactions users set-password` sets one)"
    out.print(f"User {made} is a member of account '{account}', {how}.", soft_wrap=True)


@users_cli.command("set-password")
def users_set_password(email: Annotated[str, typer.Argument(help="The user's email.")]) -> None:
    """Set a user's sign-in password (stdin when piped, else a hidden prompt); their open sessions end."""
    secret = _read_password()

    async def work(runtime: Runtime) -> None:
        async with runtime.sessions() as session, session.begin():
            await signin.set_password(session, email=email.strip(), password=secret)

    _with_runtime(work)
    out.print(f"Password set for {email.strip()}.", soft_wrap=True)


@users_cli.command("list")
def users_list() -> None:
    """List users, their accounts and whether they can sign in."""

    async def work(runtime: Runtime) -> list[tuple[Any, list[str]]]:
        async with runtime.sessions() as session:
            return await accounts_repo.users_with_accounts(session)

    table = Table("id", "email", "name", "accounts", "password")
    for user, names in _with_runtime(work):
        table.add_row(str(user.id), user.email, user.name, ", ".join(names), "set" if user.password_hash else "")
    out.print(table)


oauth_cli = typer.Typer(
    help="Register the OAuth clients apps connect with (the connect flow's client id and secret).",
    no_args_is_help=True,
)
cli.add_typer(oauth_cli, name="oauth-apps")


def _scopes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part for part in value.replace(",", " ").split() if part]


@oauth_cli.command("set")
def oauth_set(
    app: Annotated[str, typer.Argument(help="App key, e.g. SlackAPI.")],
    client_id: Annotated[str, typer.Option(help="The client id the provider gave your OAuth app.")],
    client_secret_stdin: Annotated[
        bool, typer.Option(help="Read the client secret from standard input (else it is prompted, hidden).")
    ] = False,
    scopes: Annotated[
        str | None, typer.Option(help="Scopes to ask for, comma- or space-separated (default: the app's).")
    ] = None,
    user_scopes: Annotated[
        str | None, typer.Option(help="User scopes (Slack's user_scope), comma- or space-separated.")
    ] = None,
    authorize_url: Annotated[str | None, typer.Option(help="Override the provider's authorization URL.")] = None,
    token_url: Annotated[str | None, typer.Option(help="Override the provider's token URL.")] = None,
) -> None:
    """Register (or replace) an app's OAuth client; the secret is stored encrypted and never printed."""
    from nlactions.connect.clients import register

    if client_secret_stdin:
        import sys

        secret = sys.stdin.readline().strip()
    else:
        secret = typer.prompt("Client secret", hide_input=True)

    async def work(runtime: Runtime) -> str:
        target = find_app(runtime.registry, app)
        if app in runtime.settings.connect_clients:
            raise BadRequest(
                f"{app}'s OAuth client is set by NLACTIONS_CONNECT_CLIENTS, which wins over the CLI.",
                hint="Change it there, or remove it there first.",
            )
        async with runtime.sessions() as session, session.begin():
            await register(
                session,
                runtime.box,
                target,
                client_id=client_id,
                client_secret=secret,
                scopes=_scopes(scopes),
                user_scopes=_scopes(user_scopes),
                authorize_url=authorize_url,
                token_url=token_url,
            )
        return runtime.connect().redirect_uri(target.key)

    redirect = _with_runtime(work)
    out.print(f"Registered the OAuth client of {app}.", soft_wrap=True)
    out.print(f"Redirect URI to register with the provider: {redirect}", soft_wrap=True)


@oauth_cli.command("list")
def oauth_list() -> None:
    """The registered OAuth clients (from the CLI and from NLACTIONS_CONNECT_CLIENTS), secrets never shown."""
    from nlactions.connect import repository as connect_repo
    from nlactions.connect.clients import oauth_of

    async def work(runtime: Runtime) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        async with runtime.sessions() as session:
            for app in sorted(runtime.registry, key=lambda a: a.key):
                if oauth_of(app) is None:
                    continue
                found = await runtime.registrations.find(session, app)
                stored = await connect_repo.client(session, app.key)
                if found is None:
                    if stored is not None:
                        rows.append((app.key, stored.client_id, "cli (cannot decrypt its secret)", "", ""))
                    continue
                rows.append(
                    (
                        app.key,
                        found.client_id,
                        found.source,
                        " ".join(found.scopes + found.user_scopes),
                        runtime.connect().redirect_uri(app.key),
                    )
                )
        return rows

    table = Table("app", "client id", "from", "scopes", "redirect uri")
    for row in _with_runtime(work):
        table.add_row(*row)
    out.print(table)


@oauth_cli.command("remove")
def oauth_remove(app: Annotated[str, typer.Argument(help="App key, e.g. SlackAPI.")]) -> None:
    """Forget an app's OAuth client registered by the CLI (connections made with it keep their tokens)."""
    from nlactions.connect import repository as connect_repo

    async def work(runtime: Runtime) -> bool:
        async with runtime.sessions() as session, session.begin():
            return await connect_repo.remove_client(session, app)

    if not _with_runtime(work):
        err.print(f"[red]error:[/red] no OAuth client of {app} was registered with the CLI.")
        raise typer.Exit(1)
    out.print(f"Removed the OAuth client of {app}.", soft_wrap=True)


callers_oauth_cli = typer.Typer(help="nlactions as an OAuth2 authorization server for callers.", no_args_is_help=True)
oauth_clients_cli = typer.Typer(help="Register, list and revoke OAuth clients.", no_args_is_help=True)
callers_oauth_cli.add_typer(oauth_clients_cli, name="clients")
cli.add_typer(callers_oauth_cli, name="oauth")


@oauth_clients_cli.command("create")
def oauth_clients_create(
    name: Annotated[str, typer.Option(help="Shown to users on the consent page.")],
    redirect_uri: Annotated[list[str], typer.Option("--redirect-uri", help="An exact redirect URI (repeatable).")],
    public: Annotated[
        bool, typer.Option("--public", help="No client secret: the client proves codes with PKCE only.")
    ] = False,
    account: Annotated[str, typer.Option(help="The account that manages the client.")] = accounts.DEFAULT_ACCOUNT,
    scope: Annotated[str | None, typer.Option(help="Scopes it may ask for, space-separated (default: all).")] = None,
) -> None:
    """Register an OAuth client; a confidential client's secret is printed once, alone on the last line."""

    async def work(runtime: Runtime) -> oauth.CreatedClient:
        account_id = await _account_by_name(runtime, account)
        async with runtime.sessions() as session, session.begin():
            return await oauth.create_client(
                session, account_id=account_id, name=name, redirect_uris=redirect_uri, public=public, scope=scope
            )

    created = _with_runtime(work)
    kind = "public (PKCE, no secret)" if created.client_secret is None else "confidential"
    out.print(f"Created {kind} OAuth client {created.row.name!r} in account '{account}'.", soft_wrap=True)
    out.print(f"client_id: {created.row.client_id}", soft_wrap=True)
    if created.client_secret:
        out.print("client_secret (shown only now):")
        print(created.client_secret, flush=True)


@oauth_clients_cli.command("list")
def oauth_clients_list(account: Annotated[str | None, typer.Option(help="Only this account.")] = None) -> None:
    """List live OAuth clients (never their secrets)."""

    async def work(runtime: Runtime) -> list[Any]:
        account_id = await _account_by_name(runtime, account) if account else None
        async with runtime.sessions() as session:
            return await oauth.list_clients(session, account_id)

    table = Table("client_id", "name", "type", "account", "origin", "redirect URIs", "scope", "created")
    for row in _with_runtime(work):
        table.add_row(
            row.client_id,
            row.name,
            "public" if row.secret_hash is None else "confidential",
            str(row.account_id or ""),
            row.origin,
            " ".join(row.redirect_uris),
            row.scope,
            row.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@oauth_clients_cli.command("revoke")
def oauth_clients_revoke(client_id: Annotated[str, typer.Argument(help="The client_id.")]) -> None:
    """Revoke an OAuth client and every token it holds."""

    async def work(runtime: Runtime) -> str:
        async with runtime.sessions() as session, session.begin():
            return (await oauth.revoke_client(session, client_id, None)).client_id

    out.print(f"Revoked OAuth client {_with_runtime(work)} and its tokens.")


def main() -> None:
    """Console-script entry point."""
    cli()
