"""Coverage API: a small FastAPI service that exercises the OpenAPI features
the Rust code generator has to handle (forms, uploads, every security scheme,
raw bodies, non-JSON responses, discriminated unions, tuples, enum-keyed maps,
recursive models, Input/Output schema splits, ...).

All state lives in memory and is deterministic: ids are derived from counters
(UUIDv5 for items), timestamps from a fixed epoch. `POST /reset` restores the
initial state.

Run it with `scripts/fastapi-app serve`; export its document with
`scripts/fastapi-app export`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal, Union

from fastapi import (
    APIRouter,
    Cookie,
    Depends,
    FastAPI,
    File,
    Form,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    StreamingResponse,
)
from fastapi.routing import APIRoute
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
)
from pydantic import BaseModel, ConfigDict, Field, computed_field
from starlette.background import BackgroundTask

# --------------------------------------------------------------------------
# Constants and deterministic helpers
# --------------------------------------------------------------------------

API_KEY = "coverage-api-key"
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
ITEM_NAMESPACE = uuid.UUID("6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c10")


def item_uuid(seq: int) -> uuid.UUID:
    """The id of the `seq`-th item created since the last reset."""
    return uuid.uuid5(ITEM_NAMESPACE, f"item-{seq}")


def tick(seq: int) -> datetime:
    """A fake clock: the `seq`-th event happens `seq` minutes after EPOCH."""
    return EPOCH + timedelta(minutes=seq)


def custom_generate_unique_id(route: APIRoute) -> str:
    """Operation ids like the full-stack template: `<first tag>-<function name>`."""
    return f"{route.tags[0]}-{route.name}"


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class Message(BaseModel):
    """An error body, as produced by `HTTPException`."""

    detail: str


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class User(BaseModel):
    id: int
    username: str = Field(min_length=3, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    full_name: str | None = None
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    birthday: date | None = None
    disabled: bool = False


class ItemStatus(str, Enum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Warehouse(str, Enum):
    north = "north"
    south = "south"
    east = "east"


class SortOrder(str, Enum):
    asc = "asc"
    desc = "desc"


class Theme(str, Enum):
    light = "light"
    dark = "dark"


class Item(BaseModel):
    """The writable part of an item. Used as a request body (create, replace,
    validate) and as a response (validate), and it has a computed field, so the
    export has `Item-Input` and `Item-Output`."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    sku: str = Field(
        pattern=r"^(?P<prefix>[A-Z]{2})-\d+$",
        description="Two upper-case letters, a dash, digits (e.g. `AB-123`).",
    )
    price: Decimal = Field(gt=0, le=Decimal("1000000"), decimal_places=2)
    tax: float | None = Field(default=None, ge=0, le=100, description="Percent")
    status: ItemStatus = ItemStatus.draft
    tags: list[str] = []
    release_date: date | None = None
    dimensions: tuple[float, float] | None = Field(
        default=None, description="Width and height in centimetres."
    )
    location: tuple[int, str] | None = Field(
        default=None, description="Aisle number and shelf code."
    )
    stock: dict[Warehouse, int] = Field(
        default_factory=dict, description="Units in stock per warehouse."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def price_with_tax(self) -> Decimal:
        rate = Decimal(str(self.tax or 0)) / Decimal(100)
        return (self.price * (1 + rate)).quantize(Decimal("0.01"))


class ItemRead(Item):
    """A stored item."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime | None = None
    has_image: bool = False


class ItemUpdate(BaseModel):
    """A partial update: only the fields that are sent are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = None
    sku: str | None = Field(default=None, pattern=r"^(?P<prefix>[A-Z]{2})-\d+$")
    price: Decimal | None = Field(default=None, gt=0, le=Decimal("1000000"))
    tax: float | None = Field(default=None, ge=0, le=100)
    status: ItemStatus | None = None
    tags: list[str] | None = None
    release_date: date | None = None
    dimensions: tuple[float, float] | None = None
    location: tuple[int, str] | None = None
    stock: dict[Warehouse, int] | None = None


class ItemPage(BaseModel):
    items: list[ItemRead]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(gt=0, le=100)


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    pinned: bool = False
    attachment: bytes | None = Field(default=None, description="Raw bytes, UTF-8 in JSON.")


class Note(NoteCreate):
    id: int
    item_id: uuid.UUID
    created_at: datetime


class ImageInfo(BaseModel):
    item_id: uuid.UUID
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class UploadedFile(BaseModel):
    filename: str | None
    content_type: str | None
    size: int = Field(ge=0)
    sha256: str


class UploadResult(BaseModel):
    title: str
    revision: int
    comment: str | None
    file: UploadedFile


class BatchUploadResult(BaseModel):
    folder: str
    files: list[UploadedFile]
    total_size: int


class Cat(BaseModel):
    kind: Literal["cat"]
    name: str = Field(min_length=1)
    lives: int = Field(default=9, ge=0, le=9)
    indoor: bool = True


class Dog(BaseModel):
    kind: Literal["dog"]
    name: str = Field(min_length=1)
    good_boy: bool = True
    breed: str | None = None


Pet = Annotated[Union[Cat, Dog], Field(discriminator="kind")]


class Node(BaseModel):
    """A tree node; `children` refers back to `Node`."""

    name: str
    value: int | None = None
    children: list[Node] = []


class TreeSummary(BaseModel):
    nodes: int
    depth: int
    leaves: list[str]
    total: int


class JobState(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"


class JobRequest(BaseModel):
    action: Literal["reindex", "export"]
    item_ids: list[uuid.UUID] = []
    priority: int = Field(default=5, ge=1, le=10)


class Job(BaseModel):
    id: int
    state: JobState
    request: JobRequest
    submitted_at: datetime
    result: None = Field(default=None, description="Always null: jobs never finish here.")


class SessionInfo(BaseModel):
    username: str
    session: str


class RequestInfo(BaseModel):
    request_id: str
    accept_language: str | None
    retry: int
    tracking_id: str
    theme: Theme | None


class DescriptionUpdate(BaseModel):
    item_id: uuid.UUID
    description: str
    words: int


class Tile(BaseModel):
    z: int
    x: int
    y: int
    format: Literal["png", "jpg"]


class Point(BaseModel):
    lon: float
    lat: float


class LegacyItem(BaseModel):
    model_config = ConfigDict(title="LegacyItem")

    id: str
    title: str
    cost: float


# --------------------------------------------------------------------------
# In-memory state
# --------------------------------------------------------------------------

USERS_SEED: dict[int, tuple[User, str]] = {
    1: (
        User(
            id=1,
            username="alice",
            full_name="Alice Liddell",
            email="alice@example.com",
            birthday=date(1990, 5, 4),
        ),
        "secret",
    ),
    2: (User(id=2, username="bob", email="bob@example.com"), "hunter2"),
}


class State:
    def __init__(self) -> None:
        self.users: dict[int, tuple[User, str]] = dict(USERS_SEED)
        self.tokens: dict[str, int] = {}
        self.sessions: dict[str, int] = {}
        self.items: dict[uuid.UUID, ItemRead] = {}
        self.images: dict[uuid.UUID, bytes] = {}
        self.notes: dict[uuid.UUID, dict[int, Note]] = {}
        self.pets: dict[str, Cat | Dog] = {}
        self.jobs: dict[int, Job] = {}
        self.seq = 0

    def next(self) -> int:
        self.seq += 1
        return self.seq


state = State()


def find_user(username: str) -> tuple[User, str] | None:
    for user, password in state.users.values():
        if user.username == username:
            return user, password
    return None


def get_item_or_404(item_id: uuid.UUID) -> ItemRead:
    item = state.items.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


# --------------------------------------------------------------------------
# Security
# --------------------------------------------------------------------------

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="auth/token", description="Password flow; get a token from `POST /auth/token`."
)
bearer_scheme = HTTPBearer(description="The access token from `POST /auth/token`.")
api_key_header = APIKeyHeader(name="X-API-Key", description="The service API key.")
api_key_query = APIKeyQuery(name="api_key", description="The service API key, in the query.")
session_cookie = APIKeyCookie(name="session", description="Set by `POST /session`.")
basic_scheme = HTTPBasic(description="Username and password.")


def user_from_token(token: str) -> User:
    user_id = state.tokens.get(token)
    if user_id is None:
        raise HTTPException(
            status_code=401,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return state.users[user_id][0]


def current_user_oauth2(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    return user_from_token(token)


def current_user_bearer(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)],
) -> User:
    return user_from_token(credentials.credentials)


def require_api_key(key: Annotated[str, Depends(api_key_header)]) -> None:
    if not secrets.compare_digest(key, API_KEY):
        raise HTTPException(status_code=401, detail="Invalid API key")


def require_api_key_query(key: Annotated[str, Depends(api_key_query)]) -> None:
    if not secrets.compare_digest(key, API_KEY):
        raise HTTPException(status_code=401, detail="Invalid API key")


def current_user_session(session: Annotated[str, Depends(session_cookie)]) -> tuple[User, str]:
    user_id = state.sessions.get(session)
    if user_id is None:
        raise HTTPException(status_code=401, detail="Invalid session")
    return state.users[user_id][0], session


def current_user_basic(credentials: Annotated[HTTPBasicCredentials, Depends(basic_scheme)]) -> User:
    found = find_user(credentials.username)
    if found is None or not secrets.compare_digest(credentials.password, found[1]):
        raise HTTPException(
            status_code=401,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return found[0]


NOT_FOUND = {404: {"model": Message, "description": "Not found"}}
UNAUTHORIZED = {401: {"model": Message, "description": "Missing or invalid credentials"}}

# --------------------------------------------------------------------------
# Routers
# --------------------------------------------------------------------------

auth_router = APIRouter(prefix="/auth", tags=["auth"])
session_router = APIRouter(prefix="/session", tags=["session"], responses=UNAUTHORIZED)
users_router = APIRouter(
    prefix="/users",
    tags=["users"],
    generate_unique_id_function=custom_generate_unique_id,
    responses=UNAUTHORIZED,
)
items_router = APIRouter(prefix="/items", tags=["items"])
files_router = APIRouter(prefix="/files", tags=["files"])
pets_router = APIRouter(
    prefix="/pets", tags=["pets"], generate_unique_id_function=custom_generate_unique_id
)
jobs_router = APIRouter(prefix="/jobs", tags=["jobs"])
misc_router = APIRouter(tags=["misc"])


# ---- auth --------------------------------------------------------------


@auth_router.post("/token", response_model=Token, responses=UNAUTHORIZED)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange a username and password (form-encoded) for a bearer token."""
    found = find_user(form.username)
    if found is None or not secrets.compare_digest(form.password, found[1]):
        raise HTTPException(
            status_code=401,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = found[0]
    token = f"token-{user.username}-{user.id}"
    state.tokens[token] = user.id
    return Token(access_token=token)


# ---- session (HTTP basic + cookie API key) ------------------------------


@session_router.post("", response_model=SessionInfo)
def open_session(
    user: Annotated[User, Depends(current_user_basic)], response: Response
) -> SessionInfo:
    """Log in with HTTP basic credentials; sets the `session` cookie."""
    session = f"session-{user.id}-{state.next()}"
    state.sessions[session] = user.id
    response.set_cookie("session", session, httponly=True)
    return SessionInfo(username=user.username, session=session)


@session_router.get("", response_model=SessionInfo)
def read_session(
    current: Annotated[tuple[User, str], Depends(current_user_session)],
) -> SessionInfo:
    """The session named by the `session` cookie."""
    user, session = current
    return SessionInfo(username=user.username, session=session)


@session_router.delete("", status_code=204)
def close_session(
    current: Annotated[tuple[User, str], Depends(current_user_session)], response: Response
) -> None:
    """Log out: forget the session and clear the cookie."""
    state.sessions.pop(current[1], None)
    response.delete_cookie("session")


# ---- users (OAuth2 password bearer, custom operation ids) ---------------


@users_router.get("/me", response_model=User)
def read_user_me(user: Annotated[User, Depends(current_user_oauth2)]) -> User:
    """The user the access token belongs to."""
    return user


@users_router.get("/{user_id}", response_model=User, responses=NOT_FOUND)
def read_user(
    user_id: Annotated[int, Path(ge=1, description="Numeric user id")],
    _: Annotated[User, Depends(current_user_oauth2)],
) -> User:
    """A user by id."""
    entry = state.users.get(user_id)
    if entry is None:
        raise HTTPException(status_code=404, detail="User not found")
    return entry[0]


# ---- items: CRUD, raw bodies, image 200/204, HTML card -------------------


@items_router.post(
    "",
    response_model=ItemRead,
    status_code=201,
    dependencies=[Depends(require_api_key)],
    responses=UNAUTHORIZED,
)
def create_item(item: Item) -> ItemRead:
    """Create an item; the server assigns its id and creation time."""
    seq = state.next()
    record = ItemRead(**item.model_dump(), id=item_uuid(seq), created_at=tick(seq))
    state.items[record.id] = record
    state.notes[record.id] = {}
    return record


@items_router.get("", response_model=ItemPage)
def list_items(
    tags: Annotated[list[str], Query(description="Items having all these tags")] = [],
    status: ItemStatus | None = None,
    q: Annotated[
        str | None, Query(min_length=2, max_length=50, description="Substring of the name")
    ] = None,
    min_price: Annotated[Decimal | None, Query(ge=0)] = None,
    max_price: Annotated[Decimal | None, Query(lt=1000000)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(gt=0, le=100)] = 20,
    sort: SortOrder = SortOrder.asc,
) -> ItemPage:
    """List items, filtered, sorted by creation time and paginated."""
    items = list(state.items.values())
    if tags:
        items = [i for i in items if set(tags) <= set(i.tags)]
    if status is not None:
        items = [i for i in items if i.status == status]
    if q is not None:
        items = [i for i in items if q.lower() in i.name.lower()]
    if min_price is not None:
        items = [i for i in items if i.price >= min_price]
    if max_price is not None:
        items = [i for i in items if i.price < max_price]
    items.sort(key=lambda i: i.created_at, reverse=sort == SortOrder.desc)
    return ItemPage(items=items[offset : offset + limit], total=len(items), offset=offset, limit=limit)


@items_router.post("/validate", response_model=Item)
def validate_item(item: Item) -> Item:
    """Validate an item without storing it; echoes it with `price_with_tax`."""
    return item


@items_router.get("/{item_id}", response_model=ItemRead, responses=NOT_FOUND)
def read_item(item_id: uuid.UUID) -> ItemRead:
    """An item by id."""
    return get_item_or_404(item_id)


@items_router.put(
    "/{item_id}",
    response_model=ItemRead,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
def replace_item(item_id: uuid.UUID, item: Item) -> ItemRead:
    """Replace every writable field of an item."""
    old = get_item_or_404(item_id)
    seq = state.next()
    record = ItemRead(
        **item.model_dump(),
        id=old.id,
        created_at=old.created_at,
        updated_at=tick(seq),
        has_image=old.has_image,
    )
    state.items[item_id] = record
    return record


@items_router.patch(
    "/{item_id}",
    response_model=ItemRead,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
def update_item(item_id: uuid.UUID, patch: ItemUpdate) -> ItemRead:
    """Change only the fields that are sent (`exclude_unset` merge)."""
    old = get_item_or_404(item_id)
    merged = old.model_dump(exclude={"price_with_tax"})
    merged.update(patch.model_dump(exclude_unset=True))
    merged["updated_at"] = tick(state.next())
    record = ItemRead.model_validate(merged)
    state.items[item_id] = record
    return record


@items_router.delete(
    "/{item_id}",
    status_code=204,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
def delete_item(item_id: uuid.UUID) -> Response:
    """Delete an item with its notes and image."""
    get_item_or_404(item_id)
    del state.items[item_id]
    state.notes.pop(item_id, None)
    state.images.pop(item_id, None)
    return Response(status_code=204)


@items_router.put(
    "/{item_id}/description",
    response_model=DescriptionUpdate,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED, 415: {"model": Message, "description": "Not text/plain"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string", "maxLength": 1000}}},
        }
    },
)
async def set_item_description(item_id: uuid.UUID, request: Request) -> DescriptionUpdate:
    """Set the description from a raw `text/plain` body."""
    if not request.headers.get("content-type", "").startswith("text/plain"):
        raise HTTPException(status_code=415, detail="Expected text/plain")
    text = (await request.body()).decode("utf-8")
    if len(text) > 1000:
        raise HTTPException(status_code=422, detail="Description too long")
    old = get_item_or_404(item_id)
    state.items[item_id] = old.model_copy(update={"description": text})
    return DescriptionUpdate(item_id=item_id, description=text, words=len(text.split()))


@items_router.put(
    "/{item_id}/image",
    response_model=ImageInfo,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    },
)
async def upload_item_image(item_id: uuid.UUID, request: Request) -> ImageInfo:
    """Store the item's image from a raw `application/octet-stream` body."""
    old = get_item_or_404(item_id)
    data = await request.body()
    state.images[item_id] = data
    state.items[item_id] = old.model_copy(update={"has_image": True})
    return ImageInfo(item_id=item_id, size=len(data), sha256=hashlib.sha256(data).hexdigest())


@items_router.get(
    "/{item_id}/image",
    response_class=Response,
    responses={
        200: {
            "description": "The image bytes",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
        204: {"description": "The item has no image"},
        **NOT_FOUND,
    },
)
def read_item_image(item_id: uuid.UUID) -> Response:
    """The item's image (200), or 204 when none was uploaded."""
    get_item_or_404(item_id)
    data = state.images.get(item_id)
    if data is None:
        return Response(status_code=204)
    return Response(content=data, media_type="application/octet-stream")


@items_router.get(
    "/{item_id}/card",
    response_class=HTMLResponse,
    # With `model=`, FastAPI would document the 404 as text/html (the route's
    # media type); the error body is JSON, so say so explicitly.
    responses={
        404: {
            "description": "Not found",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
        }
    },
)
def item_card(item_id: uuid.UUID) -> HTMLResponse:
    """An HTML card describing the item."""
    from html import escape

    item = get_item_or_404(item_id)
    body = (
        f"<!doctype html><html><head><title>{escape(item.name)}</title></head>"
        f"<body><h1>{escape(item.name)}</h1><p>{escape(item.description or '')}</p>"
        f"<p>SKU {escape(item.sku)}, {item.price_with_tax} incl. tax</p></body></html>"
    )
    return HTMLResponse(body)


# ---- nested resource: notes ---------------------------------------------


@items_router.post(
    "/{item_id}/notes",
    response_model=Note,
    status_code=201,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
def create_note(item_id: uuid.UUID, note: NoteCreate) -> Note:
    """Add a note to an item."""
    get_item_or_404(item_id)
    notes = state.notes[item_id]
    note_id = max(notes, default=0) + 1
    record = Note(**note.model_dump(), id=note_id, item_id=item_id, created_at=tick(state.next()))
    notes[note_id] = record
    return record


@items_router.get("/{item_id}/notes", response_model=list[Note], responses=NOT_FOUND)
def list_notes(
    item_id: uuid.UUID, pinned: Annotated[bool | None, Query(description="Only (un)pinned")] = None
) -> list[Note]:
    """The notes of an item, oldest first."""
    get_item_or_404(item_id)
    notes = list(state.notes[item_id].values())
    if pinned is not None:
        notes = [n for n in notes if n.pinned == pinned]
    return notes


@items_router.get("/{item_id}/notes/{note_id}", response_model=Note, responses=NOT_FOUND)
def read_note(item_id: uuid.UUID, note_id: Annotated[int, Path(ge=1)]) -> Note:
    """One note of an item."""
    get_item_or_404(item_id)
    note = state.notes[item_id].get(note_id)
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@items_router.delete(
    "/{item_id}/notes/{note_id}",
    status_code=204,
    dependencies=[Depends(require_api_key)],
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
def delete_note(item_id: uuid.UUID, note_id: Annotated[int, Path(ge=1)]) -> None:
    """Delete one note of an item."""
    get_item_or_404(item_id)
    if state.notes[item_id].pop(note_id, None) is None:
        raise HTTPException(status_code=404, detail="Note not found")


# ---- files: multipart uploads, file download ----------------------------


async def describe_upload(upload: UploadFile) -> UploadedFile:
    data = await upload.read()
    return UploadedFile(
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@files_router.post("", response_model=UploadResult)
async def upload_file(
    file: Annotated[UploadFile, File(description="The file to store")],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    revision: Annotated[int, Form(ge=1)],
    comment: Annotated[str | None, Form()] = None,
) -> UploadResult:
    """Upload one file with form fields beside it (multipart/form-data)."""
    return UploadResult(
        title=title, revision=revision, comment=comment, file=await describe_upload(file)
    )


@files_router.post("/batch", response_model=BatchUploadResult)
async def upload_files(
    files: Annotated[list[UploadFile], File(description="One or more files")],
    folder: Annotated[str, Form(pattern=r"^[a-z0-9/_-]+$")],
) -> BatchUploadResult:
    """Upload several files at once (multipart/form-data, repeated `files` part)."""
    described = [await describe_upload(f) for f in files]
    return BatchUploadResult(
        folder=folder, files=described, total_size=sum(f.size for f in described)
    )


@files_router.get(
    "/items.csv",
    response_class=FileResponse,
    dependencies=[Depends(require_api_key_query)],
    responses={
        200: {
            "description": "Every item as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **UNAUTHORIZED,
    },
)
def export_items_csv() -> FileResponse:
    """Every item as a CSV file download (a `FileResponse`)."""
    lines = ["id,name,sku,price,status"]
    for item in sorted(state.items.values(), key=lambda i: i.created_at):
        name = item.name.replace('"', '""')
        lines.append(f'{item.id},"{name}",{item.sku},{item.price},{item.status.value}')
    fd, path = tempfile.mkstemp(prefix="coverage-api-", suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write("\n".join(lines) + "\n")
    return FileResponse(
        path,
        media_type="text/csv",
        filename="items.csv",
        background=BackgroundTask(os.unlink, path),
    )


# ---- pets: discriminated union, custom operation ids ---------------------


@pets_router.post("", response_model=Pet, status_code=201, responses={409: {"model": Message}})
def create_pet(pet: Pet) -> Cat | Dog:
    """Register a cat or a dog (the `kind` field tells which)."""
    if pet.name in state.pets:
        raise HTTPException(status_code=409, detail="Pet already exists")
    state.pets[pet.name] = pet
    return pet


@pets_router.get("", response_model=list[Pet])
def list_pets(kind: Literal["cat", "dog"] | None = None) -> list[Cat | Dog]:
    """Every pet, optionally of one kind."""
    return [p for p in state.pets.values() if kind is None or p.kind == kind]


@pets_router.get("/{name}", response_model=Pet, responses=NOT_FOUND)
def read_pet(name: Annotated[str, Path(min_length=1, max_length=50)]) -> Cat | Dog:
    """A pet by name."""
    pet = state.pets.get(name)
    if pet is None:
        raise HTTPException(status_code=404, detail="Pet not found")
    return pet


# ---- jobs: 202 Accepted, HTTP bearer, server-sent events -----------------


@jobs_router.post("", response_model=Job, status_code=202, responses=UNAUTHORIZED)
def submit_job(
    request: JobRequest, _: Annotated[User, Depends(current_user_bearer)]
) -> Job:
    """Queue a background job; answers 202 Accepted at once."""
    seq = state.next()
    job = Job(id=len(state.jobs) + 1, state=JobState.queued, request=request, submitted_at=tick(seq))
    state.jobs[job.id] = job
    return job


@jobs_router.get("/{job_id}", response_model=Job, responses={**NOT_FOUND, **UNAUTHORIZED})
def read_job(
    job_id: Annotated[int, Path(gt=0)], _: Annotated[User, Depends(current_user_bearer)]
) -> Job:
    """A job by id."""
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail="Job not found")
    return job


@jobs_router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Three progress events, then the stream ends",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **NOT_FOUND,
    },
)
def job_events(job_id: Annotated[int, Path(gt=0)]) -> StreamingResponse:
    """Progress of a job as a finite server-sent event stream (3 events)."""
    if job_id not in state.jobs:
        raise HTTPException(status_code=404, detail="Job not found")

    async def events():
        for n, phase in enumerate(("queued", "running", "done"), start=1):
            data = json.dumps({"job_id": job_id, "state": phase, "progress": n * 100 // 3})
            yield f"id: {n}\nevent: progress\ndata: {data}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


# ---- misc: headers, cookies, trees, plain text, deprecated, reset --------


@misc_router.get("/request-info", response_model=RequestInfo)
def request_info(
    x_request_id: Annotated[str, Header(min_length=1, max_length=64)],
    tracking_id: Annotated[str, Cookie(min_length=1)],
    accept_language: Annotated[str | None, Header()] = None,
    x_retry: Annotated[int, Header(ge=0, le=5)] = 0,
    theme: Annotated[Theme | None, Cookie()] = None,
) -> RequestInfo:
    """Echo the request's headers (`X-Request-Id`, `Accept-Language`,
    `X-Retry`) and cookies (`tracking_id`, `theme`)."""
    return RequestInfo(
        request_id=x_request_id,
        accept_language=accept_language,
        retry=x_retry,
        tracking_id=tracking_id,
        theme=theme,
    )


@misc_router.post("/trees/summary", response_model=TreeSummary)
def summarize_tree(root: Node) -> TreeSummary:
    """Count the nodes of a recursive tree, its depth, leaves and value total."""

    def walk(node: Node, depth: int) -> tuple[int, int, list[str], int]:
        count, deepest, leaves, total = 1, depth, [], node.value or 0
        if not node.children:
            leaves.append(node.name)
        for child in node.children:
            c, d, l, t = walk(child, depth + 1)
            count, deepest, total = count + c, max(deepest, d), total + t
            leaves.extend(l)
        return count, deepest, leaves, total

    nodes, depth, leaves, total = walk(root, 1)
    return TreeSummary(nodes=nodes, depth=depth, leaves=leaves, total=total)


@misc_router.get("/trees/sample", response_model=Node)
def sample_tree() -> Node:
    """A fixed three-level tree."""
    return Node(
        name="root",
        value=1,
        children=[
            Node(name="a", value=2, children=[Node(name="a1", value=3)]),
            Node(name="b", value=4),
        ],
    )


@misc_router.get("/tiles/{z}/{x}/{y}.{fmt}", response_model=Tile)
def read_tile(
    z: Annotated[int, Path(ge=0, le=30)], x: int, y: int, fmt: Literal["png", "jpg"]
) -> Tile:
    """A tile by its coordinates and format: a path segment that holds a
    variable beside text (`{y}.{fmt}`), as map services have."""
    return Tile(z=z, x=x, y=y, format=fmt)


@misc_router.get("/points/{lon},{lat}", response_model=Point)
def read_point(lon: float, lat: float) -> Point:
    """A point: two variables in one segment (`{lon},{lat}`)."""
    return Point(lon=lon, lat=lat)


@misc_router.get("/health", response_class=PlainTextResponse)
def health() -> str:
    """Liveness probe: `ok` as text/plain."""
    return "ok"


@misc_router.get("/legacy/items", response_model=list[LegacyItem], deprecated=True)
def list_items_legacy(
    limit: Annotated[int, Query(ge=1, le=100, deprecated=True)] = 100,
) -> list[LegacyItem]:
    """The old item listing; use `GET /items`."""
    items = sorted(state.items.values(), key=lambda i: i.created_at)[:limit]
    return [LegacyItem(id=str(i.id), title=i.name, cost=float(i.price)) for i in items]


@misc_router.post("/reset", status_code=204)
def reset() -> None:
    """Restore the initial in-memory state (for tests)."""
    global state
    state = State()


# --------------------------------------------------------------------------
# Application
# --------------------------------------------------------------------------

app = FastAPI(
    title="Coverage API",
    version="1.0.0",
    description=(
        "A small in-memory service whose OpenAPI export covers the features "
        "the code generator has to support."
    ),
    openapi_tags=[
        {"name": "auth", "description": "OAuth2 password login"},
        {"name": "session", "description": "HTTP basic login and a cookie session"},
        {"name": "users", "description": "Users (operation ids `users-<name>`)"},
        {"name": "items", "description": "The item collection, its notes and images"},
        {"name": "files", "description": "Multipart uploads and a CSV download"},
        {"name": "pets", "description": "Cats and dogs (operation ids `pets-<name>`)"},
        {"name": "jobs", "description": "Accepted jobs and their event streams"},
        {"name": "misc", "description": "Headers, cookies, trees, health, legacy"},
    ],
)

for router in (
    auth_router,
    session_router,
    users_router,
    items_router,
    files_router,
    pets_router,
    jobs_router,
    misc_router,
):
    app.include_router(router)
