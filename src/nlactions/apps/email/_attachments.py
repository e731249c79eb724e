"""Attachments fetched by URL through the SSRF-guarded client, each and all together size-capped."""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Sequence
from email.message import Message
from urllib.parse import unquote

import httpx

from nlactions.apps.email._message import Attachment
from nlactions.catalog import ActionContext, InvalidInput
from nlactions.kit.http import ResponseTooLarge
from nlactions.kit.ssrf import BlockedDestination

MAX_ATTACHMENT_BYTES = 10_000_000
MAX_TOTAL_BYTES = 20_000_000
MAX_ATTACHMENTS = 10
NEED = "attachments"


def _filename(response: httpx.Response) -> str:
    disposition = response.headers.get("content-disposition", "")
    if disposition:
        header = Message()
        header["content-disposition"] = disposition
        name = header.get_filename()
        if name:
            return posixpath.basename(name.replace("\\", "/")) or "attachment"
    return posixpath.basename(unquote(response.url.path)) or "attachment"


def _content_type(response: httpx.Response, filename: str) -> str:
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared.count("/") == 1 and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _too_large(url: str, limit: int, what: str = "the limit") -> InvalidInput:
    return InvalidInput(
        NEED,
        f"Attachment {url} is larger than {what} ({limit:,} bytes).",
        hint="Send a link to the file in the body instead, or attach a smaller file.",
    )


async def _fetch(ctx: ActionContext, url: str, budget: int) -> Attachment:
    limit = min(MAX_ATTACHMENT_BYTES, budget)
    what = "the limit per attachment" if limit == MAX_ATTACHMENT_BYTES else "what is left of the total limit"
    try:
        target = httpx.URL(url.strip())
        if target.scheme not in ("http", "https") or not target.host:
            raise InvalidInput(NEED, f"Attachment {url!r} is not an http:// or https:// URL.")
        async with ctx.http.stream("GET", target) as response:
            if not response.is_success:
                raise InvalidInput(
                    NEED,
                    f"Attachment {url} could not be fetched: the server answered {response.status_code}.",
                    hint="Check the attachment URL; it must be reachable without logging in.",
                )
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise _too_large(url, limit, what)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > limit:
                    raise _too_large(url, limit, what)
            filename = _filename(response)
            return Attachment(filename, _content_type(response, filename), bytes(data))
    except ResponseTooLarge as exc:
        raise InvalidInput(NEED, f"Attachment {url} is too large: {exc}", hint="Attach a smaller file.") from None
    except BlockedDestination as exc:
        raise InvalidInput(
            NEED,
            f"Attachment {url} was not fetched: {exc.message}",
            hint="Use a public URL; the administrator can allow a private host with NLACTIONS_SSRF_ALLOW.",
        ) from None
    except httpx.InvalidURL:
        raise InvalidInput(NEED, f"Attachment {url!r} is not a valid URL.") from None
    except httpx.TimeoutException:
        raise InvalidInput(NEED, f"Attachment {url} could not be fetched: the server did not answer in time.") from None
    except httpx.HTTPError as exc:
        raise InvalidInput(
            NEED,
            f"Attachment {url} could not be fetched ({type(exc).__name__}).",
            hint="Check the attachment URL and that its server is up.",
        ) from None


async def fetch_all(ctx: ActionContext, urls: Sequence[str]) -> list[Attachment]:
    """Download every attachment URL in order; an error naming the URL that failed or was too large."""
    wanted = [url for url in urls if url.strip()]
    if len(wanted) > MAX_ATTACHMENTS:
        raise InvalidInput(NEED, f"{len(wanted)} attachments given; at most {MAX_ATTACHMENTS} can be sent.")
    found: list[Attachment] = []
    left = MAX_TOTAL_BYTES
    for url in wanted:
        attachment = await _fetch(ctx, url, left)
        left -= len(attachment.data)
        found.append(attachment)
    return found
