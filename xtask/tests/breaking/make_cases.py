"""The breaking-change corpus, from FastAPI itself: its spec pairs, and the
services that answer them.

    scripts/fastapi-app python xtask/tests/breaking/make_cases.py
    scripts/fastapi-app python xtask/tests/breaking/make_cases.py serve PORT

For each case, two tiny FastAPI apps that differ by one change, as a team
would make it in Python; each app's `app.openapi()` is written to
`xtask/tests/breaking/<case>/old.json` and `new.json` (the text that
`fastapi-app/export.py` writes). The expected findings
(`expected.txt`) are golden files of `xtask/tests/breaking.rs`: refresh them
with `UPDATE_GOLDEN=1 cargo test -p xtask --test breaking` and review.

`serve PORT` runs every case's two apps in one uvicorn on 127.0.0.1:PORT,
under `/<case>/old` and `/<case>/new`, for the wire test of
`xtask/tests/breaking_claims.rs` (a client generated from one side calls
the other). So each app answers with what its own spec newly allows (the
new enum value, the null, the status the old spec still documents): a wire
claim is tested against the answers that can break it.
"""


import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

sys.dont_write_bytecode = True

HERE = Path(__file__).resolve().parent
CASES: dict[str, tuple[Callable[[], FastAPI], Callable[[], FastAPI]]] = {}


def case(name: str):
    """Registers `build(new: bool) -> FastAPI` as the case `name`."""

    def register(build: Callable[[bool], FastAPI]):
        CASES[name] = (lambda: build(False), lambda: build(True))
        return build

    return register


def new_app() -> FastAPI:
    return FastAPI(title="Breaking", version="1.0.0")


@case("response-enum-value-added")
def _(new: bool) -> FastAPI:
    class Status(str, Enum):
        active = "active"
        retired = "retired"
        if new:
            archived = "archived"

    class Item(BaseModel):
        id: int
        status: Status

    app = new_app()

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> Item:
        return Item(id=item_id, status=Status.archived if new else Status.active)

    return app


@case("request-enum-value-added")
def _(new: bool) -> FastAPI:
    class Color(str, Enum):
        red = "red"
        green = "green"
        if new:
            blue = "blue"

    class Paint(BaseModel):
        color: Color

    app = new_app()

    @app.post("/paints")
    def create_paint(paint: Paint) -> Paint:
        return paint

    return app


@case("request-enum-value-removed")
def _(new: bool) -> FastAPI:
    class Color(str, Enum):
        red = "red"
        green = "green"
        if not new:
            blue = "blue"

    class Paint(BaseModel):
        color: Color

    app = new_app()

    @app.post("/paints")
    def create_paint(paint: Paint) -> Paint:
        return paint

    return app


def item_in(new: bool, extra: str | None):
    """`ItemIn`, with one more field in the new app: `extra` is "required"
    or "optional"."""
    if new and extra == "required":

        class ItemIn(BaseModel):
            name: str
            owner: str

    elif new and extra == "optional":

        class ItemIn(BaseModel):
            name: str
            note: str | None = None

    else:

        class ItemIn(BaseModel):
            name: str

    return ItemIn


class ItemOut(BaseModel):
    id: int
    name: str


def create_item_app(item_model) -> FastAPI:
    app = new_app()

    @app.post("/items")
    def create_item(item: item_model) -> ItemOut:
        return ItemOut(id=1, name=item.name)

    return app


@case("request-field-required-added")
def _(new: bool) -> FastAPI:
    return create_item_app(item_in(new, "required"))


@case("request-field-optional-added")
def _(new: bool) -> FastAPI:
    return create_item_app(item_in(new, "optional"))


@case("request-field-optional-added-closed")
def _(new: bool) -> FastAPI:
    """The optional field of `request-field-optional-added`, in a model that
    forbids what it does not declare: an old service refuses it."""
    if new:

        class ItemIn(BaseModel):
            model_config = ConfigDict(extra="forbid")
            name: str
            note: str | None = None

    else:

        class ItemIn(BaseModel):
            model_config = ConfigDict(extra="forbid")
            name: str

    return create_item_app(ItemIn)


@case("request-field-default-added")
def _(new: bool) -> FastAPI:
    """The same default, now in the schema: typify's `Option<i64>` becomes
    `i64` (a `default_factory` exports no default)."""
    if new:

        class ItemIn(BaseModel):
            name: str
            priority: int = 5

    else:

        class ItemIn(BaseModel):
            name: str
            priority: int = Field(default_factory=lambda: 5)

    return create_item_app(ItemIn)


@case("response-field-removed")
def _(new: bool) -> FastAPI:
    if new:

        class User(BaseModel):
            id: int

    else:

        class User(BaseModel):
            id: int
            email: str

    app = new_app()

    def user(user_id: int) -> User:
        return User(id=user_id) if new else User(id=user_id, email="ada@example.com")

    @app.get("/users/{user_id}")
    def read_user(user_id: int) -> User:
        return user(user_id)

    @app.get("/users")
    def list_users() -> list[User]:
        return [user(1), user(2)]

    return app


@case("response-field-added")
def _(new: bool) -> FastAPI:
    """A field every answer of the new service has: an old client ignores
    it, a new client of an old service misses it."""
    if new:

        class User(BaseModel):
            id: int
            email: str

    else:

        class User(BaseModel):
            id: int

    app = new_app()

    @app.get("/users/{user_id}")
    def read_user(user_id: int) -> User:
        return User(id=user_id, email="ada@example.com") if new else User(id=user_id)

    return app


@case("response-field-nullable")
def _(new: bool) -> FastAPI:
    if new:

        class User(BaseModel):
            id: int
            email: str | None

    else:

        class User(BaseModel):
            id: int
            email: str

    app = new_app()

    @app.get("/users/{user_id}")
    def read_user(user_id: int) -> User:
        return User(id=user_id, email=None if new else "ada@example.com")

    return app


@case("ref-inlined")
def _(new: bool) -> FastAPI:
    """A body model replaced by the same schema written inline (a raw
    `Request` with `openapi_extra`): a refactor, no change on the wire."""

    class ItemIn(BaseModel):
        name: str
        tags: list[str] = []
        note: str | None = None

    app = new_app()
    if new:
        inline = ItemIn.model_json_schema()

        @app.post(
            "/items",
            openapi_extra={
                "requestBody": {"content": {"application/json": {"schema": inline}}, "required": True}
            },
        )
        async def create_item(request: Request, dry_run: bool = False) -> ItemOut:
            item = ItemIn.model_validate(await request.json())
            return ItemOut(id=1, name=item.name)

    else:

        @app.post("/items")
        def create_item(item: ItemIn, dry_run: bool = False) -> ItemOut:
            return ItemOut(id=1, name=item.name)

    return app


def two_operations(new: bool, keep_delete: bool, add_search: bool) -> FastAPI:
    app = new_app()

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> ItemOut:
        return ItemOut(id=item_id, name="x")

    if keep_delete:

        @app.delete("/items/{item_id}", status_code=204)
        def delete_item(item_id: int) -> None:
            return None

    if add_search:

        @app.get("/items")
        def search_items(q: str) -> list[ItemOut]:
            return [ItemOut(id=1, name=q)]

    return app


@case("operation-removed")
def _(new: bool) -> FastAPI:
    return two_operations(new, keep_delete=not new, add_search=False)


@case("operation-added")
def _(new: bool) -> FastAPI:
    return two_operations(new, keep_delete=True, add_search=new)


@case("parameter-becomes-required")
def _(new: bool) -> FastAPI:
    app = new_app()
    if new:

        @app.get("/items")
        def list_items(q: str) -> list[ItemOut]:
            return [ItemOut(id=1, name=q)]

    else:

        @app.get("/items")
        def list_items(q: str | None = None) -> list[ItemOut]:
            return [ItemOut(id=1, name=q or "")]

    return app


@case("parameter-optional-added")
def _(new: bool) -> FastAPI:
    app = new_app()
    if new:

        @app.get("/items")
        def list_items(limit: int = 10, offset: int = 0) -> list[ItemOut]:
            return [ItemOut(id=offset + 1, name="x")][:limit]

    else:

        @app.get("/items")
        def list_items(limit: int = 10) -> list[ItemOut]:
            return [ItemOut(id=1, name="x")][:limit]

    return app


@case("parameter-required-added")
def _(new: bool) -> FastAPI:
    app = new_app()
    if new:

        @app.get("/items")
        def list_items(owner: str, limit: int = 10) -> list[ItemOut]:
            return [ItemOut(id=1, name=owner)][:limit]

    else:

        @app.get("/items")
        def list_items(limit: int = 10) -> list[ItemOut]:
            return [ItemOut(id=1, name="x")][:limit]

    return app


@case("parameter-first-query-added")
def _(new: bool) -> FastAPI:
    """The operation's first query parameter: the server trait's method
    takes one more argument."""
    app = new_app()
    if new:

        @app.get("/items/{item_id}")
        def read_item(item_id: int, verbose: bool = False) -> ItemOut:
            return ItemOut(id=item_id, name="x")

    else:

        @app.get("/items/{item_id}")
        def read_item(item_id: int) -> ItemOut:
            return ItemOut(id=item_id, name="x")

    return app


@case("request-field-becomes-optional")
def _(new: bool) -> FastAPI:
    if new:

        class ItemIn(BaseModel):
            name: str
            note: str | None = None

    else:

        class ItemIn(BaseModel):
            name: str
            note: str

    return create_item_app(ItemIn)


class Accepted(BaseModel):
    job_id: int


def rebuild_app(queues: bool) -> FastAPI:
    """`POST /items/{item_id}/rebuild`; when `queues`, the service documents
    202 and answers it."""
    responses = {202: {"model": Accepted, "description": "Queued"}} if queues else {}
    app = new_app()

    @app.post("/items/{item_id}/rebuild", responses=responses)
    def rebuild_item(item_id: int) -> ItemOut:
        if queues:
            return JSONResponse(Accepted(job_id=item_id).model_dump(), status_code=202)
        return ItemOut(id=item_id, name="x")

    return app


@case("status-code-removed")
def _(new: bool) -> FastAPI:
    """The old service queues the rebuild: the status the new spec drops."""
    return rebuild_app(queues=not new)


@case("status-code-added")
def _(new: bool) -> FastAPI:
    """The new service queues the rebuild, with a status the old spec does
    not document."""
    return rebuild_app(queues=new)


@case("media-type-changed")
def _(new: bool) -> FastAPI:
    app = new_app()
    if new:

        @app.get("/report", response_class=PlainTextResponse)
        def read_report() -> str:
            return "ok"

    else:

        @app.get("/report")
        def read_report() -> str:
            return "ok"

    return app


@case("type-changed")
def _(new: bool) -> FastAPI:
    """`Item.count` int → str, in a model that three operations return."""
    if new:

        class Item(BaseModel):
            id: int
            count: str

    else:

        class Item(BaseModel):
            id: int
            count: int

    app = new_app()

    def item(item_id: int) -> Item:
        return Item(id=item_id, count="3" if new else 3)

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> Item:
        return item(item_id)

    @app.get("/items")
    def list_items() -> list[Item]:
        return [item(1)]

    @app.put("/items/{item_id}")
    def replace_item(item_id: int) -> Item:
        return item(item_id)

    return app


def named_item_in(max_length: int | None):
    """`ItemIn` whose `name` has at most `max_length` characters."""

    class ItemIn(BaseModel):
        name: Annotated[str, Field(max_length=max_length)]

    return ItemIn


@case("request-max-length-tightened")
def _(new: bool) -> FastAPI:
    return create_item_app(named_item_in(5 if new else 10))


@case("request-max-length-added")
def _(new: bool) -> FastAPI:
    return create_item_app(named_item_in(5 if new else None))


@case("response-max-length-loosened")
def _(new: bool) -> FastAPI:
    """A response string's bound: the client's constrained type checks it."""

    class Item(BaseModel):
        id: int
        name: Annotated[str, Field(max_length=10 if new else 5)]

    app = new_app()

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> Item:
        return Item(id=item_id, name="abcdefghij" if new else "abcde")

    return app


@case("parameter-minimum-raised")
def _(new: bool) -> FastAPI:
    """`ge=0` → `ge=1`: typify's `u64` becomes `NonZeroU64`."""
    app = new_app()

    @app.get("/items")
    def list_items(limit: Annotated[int, Query(ge=1 if new else 0)] = 10) -> list[ItemOut]:
        return [ItemOut(id=1, name="x")][:limit]

    return app


@case("response-minimum-lowered")
def _(new: bool) -> FastAPI:
    """`ge=1` → `ge=0` in a response: `NonZeroU64` becomes `u64`, and the
    new service answers 0."""

    class Stock(BaseModel):
        id: int
        count: Annotated[int, Field(ge=0 if new else 1)]

    app = new_app()

    @app.get("/stock/{item_id}")
    def read_stock(item_id: int) -> Stock:
        return Stock(id=item_id, count=0 if new else 1)

    return app


SECRET = "secret"
"""What every credential of the wire test is: the runner's clients set it
for each of their schemes (`authenticate` of the calling code)."""


def bearer_user(
    credentials: HTTPAuthorizationCredentials = Depends(HTTPBearer()),
) -> str:
    if credentials.credentials != SECRET:
        raise HTTPException(status_code=401, detail="Invalid token")
    return "ada"


def secured_items_app(protect_item: bool) -> FastAPI:
    """`GET /me` needs a bearer token; `GET /items/{item_id}` too when
    `protect_item`."""
    app = new_app()

    @app.get("/me")
    def read_me(user: str = Depends(bearer_user)) -> ItemOut:
        return ItemOut(id=0, name=user)

    if protect_item:

        @app.get("/items/{item_id}")
        def read_item(item_id: int, user: str = Depends(bearer_user)) -> ItemOut:
            return ItemOut(id=item_id, name=user)

    else:

        @app.get("/items/{item_id}")
        def read_item(item_id: int) -> ItemOut:
            return ItemOut(id=item_id, name="x")

    return app


@case("security-added")
def _(new: bool) -> FastAPI:
    return secured_items_app(protect_item=new)


@case("security-removed")
def _(new: bool) -> FastAPI:
    return secured_items_app(protect_item=not new)


@case("security-scheme-changed")
def _(new: bool) -> FastAPI:
    """The API key moves to another header: the scheme keeps its name."""
    api_key = APIKeyHeader(name="X-API-Key" if new else "X-Key")

    def key_user(key: str = Depends(api_key)) -> str:
        if key != SECRET:
            raise HTTPException(status_code=401, detail="Invalid key")
        return "ada"

    app = new_app()

    @app.get("/items/{item_id}")
    def read_item(item_id: int, user: str = Depends(key_user)) -> ItemOut:
        return ItemOut(id=item_id, name=user)

    return app


def render(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2) + "\n"


def serve(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    routes = []
    for name, (old, new) in CASES.items():
        routes.append(Mount(f"/{name}/old", app=old()))
        routes.append(Mount(f"/{name}/new", app=new()))
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning")


def main() -> int:
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
        return 0
    for name, (old, new) in CASES.items():
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        for file, build in (("old.json", old), ("new.json", new)):
            (folder / file).write_text(render(build()), encoding="utf-8", newline="\n")
    print(f"wrote {len(CASES)} cases under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
