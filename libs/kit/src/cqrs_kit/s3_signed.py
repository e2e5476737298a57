"""A small S3 client for hot paths: GET (streamed) and PUT ?tagging over one aiohttp session,
signed with AWS Signature Version 4 here.

aiobotocore spends several milliseconds of CPU on every call (parameter validation, endpoint
rules, event hooks, XML models), more than clamd spends scanning a 50 KB file. Scanning makes two
S3 calls per attachment, so it uses this for them and aiobotocore (``cqrs_kit.s3.S3``) for
everything else. Errors carry S3's code (``NoSuchKey``, ``AccessDenied``...) and HTTP status.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

import aiohttp
from yarl import URL

UNSIGNED = "UNSIGNED-PAYLOAD"
_ALGORITHM = "AWS4-HMAC-SHA256"
_CODE = re.compile(rb"<Code>([^<]*)</Code>")
_MESSAGE = re.compile(rb"<Message>([^<]*)</Message>")


class S3Error(Exception):
    """S3 answered with an error: ``code`` is S3's (``NoSuchKey``...), ``status`` the HTTP status."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(f"{code} ({status}): {message}" if message else f"{code} ({status})")
        self.code, self.status = code, status


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tagging_xml(tags: Mapping[str, str]) -> bytes:
    """The body of PutObjectTagging."""
    items = "".join(f"<Tag><Key>{escape(k)}</Key><Value>{escape(v)}</Value></Tag>" for k, v in tags.items())
    return (
        f'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>{items}</TagSet></Tagging>'
    ).encode()


class Signer:
    """SigV4 for the ``s3`` service with path-style addressing."""

    def __init__(self, access_key: str, secret_key: str, region: str) -> None:
        self._access_key, self._secret_key, self._region = access_key, secret_key, region
        self._keys: dict[str, bytes] = {}

    def _signing_key(self, day: str) -> bytes:
        key = self._keys.get(day)
        if key is None:
            key = _hmac(
                _hmac(_hmac(_hmac(f"AWS4{self._secret_key}".encode(), day), self._region), "s3"),
                "aws4_request",
            )
            self._keys = {day: key}
        return key

    def headers(
        self,
        method: str,
        host: str,
        path: str,
        query: str,
        *,
        payload_hash: str,
        extra: Mapping[str, str] | None = None,
        now: dt.datetime | None = None,
    ) -> dict[str, str]:
        """The headers that sign one request; ``path`` and ``query`` already URI-encoded."""
        moment = now or dt.datetime.now(dt.UTC)
        stamp, day = moment.strftime("%Y%m%dT%H%M%SZ"), moment.strftime("%Y%m%d")
        headers = {"host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": stamp}
        headers.update({k.lower(): v.strip() for k, v in (extra or {}).items()})
        names = sorted(headers)
        canonical = "\n".join(
            [method, path, query, *(f"{n}:{headers[n]}" for n in names), "", ";".join(names), payload_hash]
        )
        scope = f"{day}/{self._region}/s3/aws4_request"
        to_sign = "\n".join([_ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        signature = hmac.new(self._signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"{_ALGORITHM} Credential={self._access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        del headers["host"]  # aiohttp sends it
        return headers


class SignedS3:
    """GetObject and PutObjectTagging on one pooled aiohttp session (``start`` before use)."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
    ) -> None:
        parts = urlsplit(endpoint)
        self._base = f"{parts.scheme}://{parts.netloc}"
        self._host = parts.netloc
        self._signer = Signer(access_key, secret_key, region)
        self._timeout = aiohttp.ClientTimeout(sock_connect=connect_timeout, sock_read=read_timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, auto_decompress=False)

    async def stop(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
        self._session = None

    def _request(
        self,
        method: str,
        bucket: str,
        key: str,
        *,
        query: str = "",
        payload_hash: str = UNSIGNED,
        extra: Mapping[str, str] | None = None,
    ) -> tuple[URL, dict[str, str]]:
        path = "/" + quote(bucket, safe="") + "/" + quote(key, safe="/~")
        headers = self._signer.headers(
            method, self._host, path, query, payload_hash=payload_hash, extra=extra
        )
        url = URL(f"{self._base}{path}{'?' + query if query else ''}", encoded=True)
        return url, headers

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            msg = "SignedS3 used before start()"
            raise RuntimeError(msg)
        return self._session

    @asynccontextmanager
    async def get(self, bucket: str, key: str) -> AsyncIterator[aiohttp.StreamReader]:
        """The object's body as a stream (read it within the block)."""
        url, headers = self._request("GET", bucket, key)
        async with self._open().get(url, headers=headers) as response:
            await _raise_for(response)
            yield response.content

    async def put_tagging(self, bucket: str, key: str, tags: Mapping[str, str]) -> None:
        """Replace the object's tags."""
        body = tagging_xml(tags)
        md5 = base64.b64encode(hashlib.md5(body).digest()).decode()  # noqa: S324 - S3 asks for MD5
        url, headers = self._request(
            "PUT",
            bucket,
            key,
            query="tagging=",
            payload_hash=hashlib.sha256(body).hexdigest(),
            extra={"content-md5": md5},
        )
        async with self._open().put(url, data=body, headers=headers) as response:
            await _raise_for(response)


async def _raise_for(response: aiohttp.ClientResponse) -> None:
    if response.status < 300:
        return
    body = await response.read()
    code = _CODE.search(body)
    message = _MESSAGE.search(body)
    fallback = "NoSuchKey" if response.status == 404 else str(response.status)
    raise S3Error(
        code.group(1).decode() if code else fallback,
        response.status,
        message.group(1).decode() if message else "",
    )
