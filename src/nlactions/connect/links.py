"""Reconnect links for executions whose authentication expired (the execute service's ``ReconnectLinks``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.catalog import App
from nlactions.connect.clients import oauth_of
from nlactions.connect.service import ConnectService
from nlactions.errors import NLActionsError

log = logging.getLogger(__name__)


class ReconnectLinker:
    """Makes a connect link that reconnects an authentication, when its app connects with OAuth here."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], service: Callable[[], ConnectService]):
        self._sessions = sessions
        self._service = service

    async def __call__(self, account_id: int, user_id: int | None, app: App, authentication_id: int) -> str | None:
        """The link, or None when the app does not connect with OAuth or has no registered client."""
        if oauth_of(app) is None:
            return None
        try:
            async with self._sessions() as session, session.begin():
                link = await self._service().link(
                    session,
                    account_id=account_id,
                    user_id=user_id,
                    app_key=app.key,
                    authentication_id=authentication_id,
                )
        except NLActionsError:
            return None
        return link.connect_url
