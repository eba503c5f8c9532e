"""A small fake Discord on 127.0.0.1: REST and gateway, speaking real payloads, recording requests.

The real discord.py client talks to it once `point_discord_py_at(fake)` has redirected
`discord.http.Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY`. The server runs on its own
thread and event loop, so tests stay plain synchronous functions: they push gateway events with
`send_interaction` / `send_message` / `send_reaction` and wait on `wait_for(method, path)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import discord
import yarl
from aiohttp import WSMsgType, web

TOKEN = "fake-token.XYZ123.secret-bits"
APP_ID = 1100000000000000001  # a bot user shares its application's id
GUILD_ID = 1100000000000000100
CHANNEL_ID = 1100000000000000200
ADMIN_ROLE_ID = 1100000000000000300
OWNER_ID = 1100000000000000400
USER_ID = 1100000000000000500
ASK_CHANNEL_ID = 1100000000000000600  # a text channel the tests make an ask channel
FORUM_ID = 1100000000000000700  # a forum channel
MESSAGE_CONTENT = 1 << 15  # the privileged gateway intent
TIMESTAMP = "2025-01-06T10:00:00.000000+00:00"

# Permission bits: view channel, send messages, embed links, read history, add reactions,
# use application commands, create public threads, send in threads.
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 6) | (1 << 31)
MEMBER_PERMISSIONS |= (1 << 35) | (1 << 38)
MANAGE_GUILD = 1 << 5


def user(user_id: int, name: str, *, bot: bool = False) -> dict:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "flags": 0,
    }


BOT_USER = user(APP_ID, "Footnote", bot=True)


@dataclass(frozen=True)
class Request:
    """One REST request as the fake received it."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any  # parsed JSON (multipart bodies: their payload_json part), or None
    headers: dict[str, str]
    status: int
    reply: Any = None  # what the fake answered (a created message's payload, say)


class FakeDiscord:
    """Discord's REST API and gateway, just enough of both for the Footnote bot."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.identify: dict | None = None  # the IDENTIFY payload's "d"
        self.messages: dict[int, dict] = {}  # message id -> payload, for everything posted
        self._threads: dict[int, dict] = {}  # thread id -> channel payload
        self._interaction_channels: dict[str, int] = {}  # interaction token -> channel id
        self._ids = itertools.count(1200000000000000000)
        self._seq = itertools.count(1)
        self._rate_limits: list[tuple[str, re.Pattern[str], float]] = []
        self._changed = threading.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._history: list[dict] = []  # every dispatched event, for replay on RESUME
        self.grant_message_content = True  # False: close 4014 if the bot asks for it
        self.duplicate_on_resume = False  # replay one already-delivered event too, as Discord may
        self.resumes: list[dict] = []  # RESUME payloads received
        self.connections = 0
        self.listeners: list[Callable[[Request], None]] = []  # called on each REST request
        self.loop = asyncio.new_event_loop()
        self._server_thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # Life cycle.

    def start(self) -> FakeDiscord:
        self._server_thread.start()
        self._call(self._start_server())
        return self

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._call(self._stop_server())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._server_thread.join(timeout=5)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/")

    # What tests call.

    def new_id(self) -> int:
        return next(self._ids)

    def rate_limit_next(self, method: str, path: str, retry_after: float = 0.2) -> None:
        """Answer the next request matching `method` and the `path` regex with a 429."""
        self._rate_limits.append((method, re.compile(path), retry_after))

    def wait_for(self, method: str, path: str, count: int = 1, timeout: float = 10.0) -> Request:
        """The `count`-th request (1-based) matching `method` and the `path` regex, once made."""
        pattern = re.compile(path)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    r
                    for r in self.requests
                    if r.method == method and pattern.fullmatch(r.path) and r.status < 400
                ]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = "\n".join(f"  {r.method} {r.path} -> {r.status}" for r in self.requests)
                    raise TimeoutError(f"no {method} {path} (#{count}) within {timeout}s:\n{seen}")
                self._changed.wait(left)

    def find(self, method: str, path: str) -> list[Request]:
        pattern = re.compile(path)
        with self._changed:
            return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    def wait_until(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := check()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"condition not met within {timeout}s")
                self._changed.wait(min(left, 0.05))  # conditions may not involve requests
            return result

    def send_interaction(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        user_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
        manage_guild: bool = False,
    ) -> str:
        """Dispatch a slash command (INTERACTION_CREATE type 2); returns the interaction token."""
        data = {
            "id": str(self.new_id()),
            "name": name,
            "type": 1,
            "guild_id": str(GUILD_ID),
            "options": [
                {"name": key, "type": 3, "value": value} for key, value in (options or {}).items()
            ],
        }
        return self._interaction(2, data, user_id, channel_id, manage_guild)

    def click(self, message_id: int, custom_id: str, *, user_id: int = USER_ID) -> str:
        """Dispatch a button press (INTERACTION_CREATE type 3) on a message the bot sent."""
        data = {"custom_id": custom_id, "component_type": 2}
        message = self.messages[message_id]
        return self._interaction(3, data, user_id, int(message["channel_id"]), False, message)

    def send_message(
        self,
        content: str,
        *,
        user_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
        mentions_bot: bool = True,
        reply_to: int | None = None,
        author_is_bot: bool = False,
        attachments: int = 0,
        mentions: tuple[int, ...] = (),
    ) -> int:
        """Dispatch MESSAGE_CREATE in the guild; returns the new message's id. `mentions`: other
        users the message mentions (as <@id> in `content`)."""
        message_id = self.new_id()
        author = user(user_id, f"user{user_id % 1000}", bot=author_is_bot)
        payload = self._message(message_id, channel_id, author, content)
        payload["guild_id"] = str(GUILD_ID)
        payload["member"] = self._member([], MEMBER_PERMISSIONS)
        payload["mentions"] = [BOT_USER] if mentions_bot else []
        payload["mentions"] += [user(u, f"member{u % 1000}") for u in mentions]
        payload["attachments"] = [
            {
                "id": str(self.new_id()),
                "filename": f"photo{n}.png",
                "size": 1024,
                "url": "https://cdn.invalid/photo.png",
                "proxy_url": "https://cdn.invalid/photo.png",
            }
            for n in range(attachments)
        ]
        if reply_to is not None:
            payload["type"] = 19
            payload["message_reference"] = {
                "type": 0,
                "message_id": str(reply_to),
                "channel_id": str(channel_id),
                "guild_id": str(GUILD_ID),
            }
        self.dispatch("MESSAGE_CREATE", payload)
        return message_id

    def send_forum_post(self, title: str, content: str, *, user_id: int = USER_ID) -> int:
        """A new post in the forum: THREAD_CREATE, then its first message, which shares the
        thread's id (as on Discord); returns that id."""
        thread_id = self.new_id()
        thread = self._thread(thread_id, FORUM_ID, user_id, title)
        self._threads[thread_id] = thread
        self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        author = user(user_id, f"user{user_id % 1000}")
        payload = self._message(thread_id, thread_id, author, content)
        payload["guild_id"] = str(GUILD_ID)
        payload["member"] = self._member([], MEMBER_PERMISSIONS)
        self.dispatch("MESSAGE_CREATE", payload)
        return thread_id

    def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket as Discord does now and then; the bot should RESUME."""
        self._call(self._drop(code))

    def send_reaction(self, message_id: int, emoji: str, *, user_id: int = USER_ID) -> None:
        """Dispatch MESSAGE_REACTION_ADD for a unicode emoji."""
        channel_id = self.messages[message_id]["channel_id"] if message_id in self.messages else 0
        member = self._member([], MEMBER_PERMISSIONS)
        member["user"] = user(user_id, f"user{user_id % 1000}")
        self.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": str(user_id),
                "channel_id": str(channel_id or CHANNEL_ID),
                "message_id": str(message_id),
                "guild_id": str(GUILD_ID),
                "member": member,
                "emoji": {"id": None, "name": emoji},
                "burst": False,
                "type": 0,
            },
        )

    def dispatch(self, event: str, data: dict) -> None:
        """Send a DISPATCH (op 0) event over the gateway; while the bot is disconnected it waits
        in the history for the RESUME, as on Discord."""
        self._call(self._dispatch(event, data))

    async def _dispatch(self, event: str, data: dict) -> None:
        # On the fake's loop, so sequence numbers go out in order whoever calls.
        payload = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        self._history.append(payload)
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_str(json.dumps(payload))

    # Payloads.

    def _interaction(
        self,
        kind: int,
        data: dict,
        user_id: int,
        channel_id: int,
        manage_guild: bool,
        message: dict | None = None,
    ) -> str:
        token = f"interaction-token-{self.new_id()}"
        self._interaction_channels[token] = channel_id
        roles = [str(ADMIN_ROLE_ID)] if manage_guild else []
        permissions = MEMBER_PERMISSIONS | (MANAGE_GUILD if manage_guild else 0)
        member = self._member(roles, permissions)
        member["user"] = user(user_id, f"user{user_id % 1000}")
        channel = self._channels.get(channel_id) or self._text_channel()
        payload = {
            "id": str(self.new_id()),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(GUILD_ID),
            "guild": {"id": str(GUILD_ID), "locale": "en-GB", "features": []},
            "channel_id": str(channel_id),
            "channel": {**channel, "permissions": str(permissions)},
            "member": member,
            "data": data,
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }
        if message is not None:
            payload["message"] = message
        self.dispatch("INTERACTION_CREATE", payload)
        return token

    def _message(self, message_id: int, channel_id: int, author: dict, content: str) -> dict:
        return {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }

    def _member(self, roles: list[str], permissions: int) -> dict:
        return {
            "roles": roles,
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        }

    def _thread(self, thread_id: int, parent_id: int, owner_id: int, name: str) -> dict:
        return {
            "id": str(thread_id),
            "type": 11,
            "guild_id": str(GUILD_ID),
            "parent_id": str(parent_id),
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "applied_tags": [],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": TIMESTAMP,
                "locked": False,
            },
        }

    def _forum(self) -> dict:
        return {
            **self._text_channel(FORUM_ID, "help"),
            "type": 15,
            "available_tags": [],
            "default_reaction_emoji": None,
            "default_thread_rate_limit_per_user": 0,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "flags": 0,
        }

    def _text_channel(self, channel_id: int = CHANNEL_ID, name: str = "general") -> dict:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    @property
    def _channels(self) -> dict[int, dict]:
        return {
            CHANNEL_ID: self._text_channel(),
            ASK_CHANNEL_ID: self._text_channel(ASK_CHANNEL_ID, "questions"),
            FORUM_ID: self._forum(),
            **self._threads,
        }

    def _guild(self) -> dict:
        everyone = {
            "id": str(GUILD_ID),
            "name": "@everyone",
            "permissions": str(MEMBER_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        admin = {**everyone, "id": str(ADMIN_ROLE_ID), "name": "Admin", "position": 1}
        admin["permissions"] = str(MEMBER_PERMISSIONS | MANAGE_GUILD)
        bot_member = {**self._member([], MEMBER_PERMISSIONS), "user": BOT_USER}
        return {
            "id": str(GUILD_ID),
            "name": "Footnote test server",
            "icon": None,
            "owner_id": str(OWNER_ID),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-GB",
            "features": [],
            "roles": [everyone, admin],
            "emojis": [],
            "stickers": [],
            "channels": [
                self._text_channel(),
                self._text_channel(ASK_CHANNEL_ID, "questions"),
                self._forum(),
            ],
            "threads": [],
            "members": [bot_member],
            "member_count": 3,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "large": False,
            "unavailable": False,
            "joined_at": TIMESTAMP,
            "system_channel_id": None,
            "rules_channel_id": None,
        }

    # The server.

    async def _start_server(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def _stop_server(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _send(self, payload: dict) -> None:
        if self._ws is None or self._ws.closed:
            raise RuntimeError("the bot is not connected to the gateway")
        await self._ws.send_str(json.dumps(payload))

    async def _drop(self, code: int) -> None:
        if self._ws is not None:
            await self._ws.close(code=code, message=b"Dropped by the fake.")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self.connections += 1
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            if payload["op"] == 1:  # HEARTBEAT
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 6:  # RESUME: replay what the bot missed, then RESUMED
                self.resumes.append(payload["d"])
                after = payload["d"]["seq"] or 0
                if self.duplicate_on_resume:
                    after -= 1
                for missed in [event for event in self._history if event["s"] > after]:
                    await ws.send_str(json.dumps(missed))
                await self._dispatch("RESUMED", {})
            elif payload["op"] == 2:  # IDENTIFY
                if payload["d"]["token"] != TOKEN:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                if payload["d"]["intents"] & MESSAGE_CONTENT and not self.grant_message_content:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                with self._changed:
                    self.identify = payload["d"]
                    self._changed.notify_all()
                await self._send(self._ready())
                await self._send(
                    {"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": self._guild()}
                )
        return ws

    def _ready(self) -> dict:
        return {
            "op": 0,
            "t": "READY",
            "s": next(self._seq),
            "d": {
                "v": 10,
                "user": BOT_USER,
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                "session_id": "fake-session",
                "resume_gateway_url": str(self.gateway),
                "application": {"id": str(APP_ID), "flags": 0},
                "private_channels": [],
                "relationships": [],
            },
        }

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body = await self._body(request)
        status, reply = self._route(request.method, path, body, request.headers)
        if isinstance(body, dict) and (problem := too_long(body.get("data", body))):
            status, reply = 400, {"message": f"Invalid Form Body: {problem}", "code": 50035}
        headers = {}
        for i, (method, pattern, retry_after) in enumerate(self._rate_limits):
            if method == request.method and pattern.fullmatch(path):
                del self._rate_limits[i]
                # discord.py only trusts a 429 that came through Discord's proxy (Via header).
                status = 429
                reply = {"message": "You are being rate limited.", "retry_after": retry_after}
                reply["global"] = False
                headers = {"Via": "1.1 google", "Retry-After": str(retry_after)}
                break
        with self._changed:
            auth = {k: v for k, v in request.headers.items() if k.lower() == "authorization"}
            received = Request(request.method, path, dict(request.query), body, auth, status, reply)
            self.requests.append(received)
            self._changed.notify_all()
        for listener in self.listeners:
            listener(received)
        if reply is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json", as Discord sends it: discord.py compares the header verbatim.
        headers["Content-Type"] = "application/json"
        return web.Response(body=json.dumps(reply).encode(), status=status, headers=headers)

    async def _body(self, request: web.Request) -> Any:
        if request.content_type == "application/json":
            return await request.json()
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            return json.loads(form["payload_json"]) if "payload_json" in form else dict(form)
        return None

    def _route(self, method: str, path: str, body: Any, headers: Any) -> tuple[int, Any]:
        for route_method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return handler(body, headers, *match.groups())
        return 404, {"message": "404: Not Found", "code": 0}

    def _routes(self) -> Iterator[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        yield "GET", r"/users/@me", self._me
        yield "GET", r"/oauth2/applications/@me", self._application
        yield "PUT", r"/applications/(\d+)/(?:guilds/\d+/)?commands", self._sync
        yield "POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback
        yield "POST", r"/webhooks/(\d+)/([^/]+)", self._followup
        yield "PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._followup
        yield "POST", r"/channels/(\d+)/messages", self._channel_message
        yield "POST", r"/channels/(\d+)/typing", lambda *_: (204, None)
        yield "POST", r"/channels/(\d+)/messages/(\d+)/threads", self._create_thread

    def _me(self, body: Any, headers: Any) -> tuple[int, Any]:
        if headers.get("Authorization") != f"Bot {TOKEN}":
            return 401, {"message": "401: Unauthorized", "code": 0}
        return 200, BOT_USER

    def _application(self, body: Any, headers: Any) -> tuple[int, Any]:
        return 200, {
            "id": str(APP_ID),
            "name": "Footnote",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": user(OWNER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
        }

    def _sync(self, body: Any, headers: Any, app_id: str) -> tuple[int, Any]:
        commands = [
            {**command, "id": str(self.new_id()), "application_id": app_id, "version": "1"}
            for command in body
        ]
        return 200, commands

    def _callback(
        self, body: Any, headers: Any, interaction_id: str, token: str
    ) -> tuple[int, Any]:
        flags = (body.get("data") or {}).get("flags", 0)
        return 200, {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool(flags & 64),
            }
        }

    def _followup(
        self, body: Any, headers: Any, app_id: str, token: str, *_: str
    ) -> tuple[int, Any]:
        return 200, self._posted(self._interaction_channels[token], body, reply_to=None)

    def _channel_message(self, body: Any, headers: Any, channel_id: str) -> tuple[int, Any]:
        reference = (body.get("message_reference") or {}).get("message_id")
        return 200, self._posted(int(channel_id), body, reply_to=reference)

    def _posted(self, channel_id: int, body: dict, reply_to: str | None) -> dict:
        message = self._message(self.new_id(), channel_id, BOT_USER, body.get("content") or "")
        message["embeds"] = body.get("embeds") or []
        message["components"] = body.get("components") or []
        message["flags"] = body.get("flags", 0)
        if reply_to:
            message["type"] = 19
            message["message_reference"] = {"message_id": reply_to, "channel_id": str(channel_id)}
        self.messages[int(message["id"])] = message
        return message

    def _create_thread(
        self, body: Any, headers: Any, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        # A thread started from a message takes that message's id, as on Discord.
        thread = self._thread(int(message_id), int(channel_id), APP_ID, body["name"])
        self._threads[int(message_id)] = thread
        asyncio.get_running_loop().create_task(self._dispatch("THREAD_CREATE", thread))
        return 201, thread


def too_long(message: dict) -> str | None:
    """Which of Discord's size limits a message payload breaks, as Discord would refuse it."""
    if len(message.get("content") or "") > 2000:
        return "content over 2000"
    embeds = message.get("embeds") or []
    total = 0
    for embed in embeds:
        fields = embed.get("fields", [])
        sizes = {
            "title": (len(embed.get("title", "")), 256),
            "description": (len(embed.get("description", "")), 4096),
            "footer": (len(embed.get("footer", {}).get("text", "")), 2048),
            "fields": (len(fields), 25),
        }
        sizes |= {f"field name {i}": (len(f["name"]), 256) for i, f in enumerate(fields)}
        sizes |= {f"field value {i}": (len(f["value"]), 1024) for i, f in enumerate(fields)}
        for name, (size, limit) in sizes.items():
            if size > limit:
                return f"embed {name} is {size} > {limit}"
        total += sum(size for name, (size, _) in sizes.items() if name != "fields")
    if len(embeds) > 10 or total > 6000:
        return f"{len(embeds)} embeds, {total} characters"
    return None


@contextlib.contextmanager
def point_discord_py_at(fake: FakeDiscord) -> Iterator[None]:
    """Send all of discord.py's REST and gateway traffic to `fake` for the duration."""
    route_base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway
    try:
        yield
    finally:
        discord.http.Route.BASE = route_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
