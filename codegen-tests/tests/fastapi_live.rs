//! The generated client against the real thing: the FastAPI application of
//! `fastapi-app/` under uvicorn on 127.0.0.1, called through
//! `codegen_tests::fastapi_client` (generated from its own export,
//! `fastapi-app/openapi.json`) for every one of its 38 operations.
//!
//! The app is started with `scripts/fastapi-app serve PORT`, which installs
//! its pinned requirements into `target/fastapi-venv` the first time; the
//! [`App`] guard ends it at the end, on a panic or an interruption too. The operations run in
//! one test, in a fixed order, from a `POST /reset` state.

use std::time::{Duration, Instant};

use codegen_tests::fastapi_client::{Client, Credentials, Error, FilePart, types};
use futures::StreamExt;
use serde_json::json;
use xtask::testing::Service;

/// The app under uvicorn, supervised: it ends with this value, and with the
/// test process however that ends ([`xtask::testing::Service`]).
struct App {
    service: Service,
    url: String,
}

impl App {
    fn start() -> App {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::env::temp_dir().join(format!("fastapi-live-{port}.log"));
        let service = Service::start("scripts/fastapi-app", &["serve", &port.to_string()], log);
        App { service, url: format!("http://127.0.0.1:{port}") }
    }

    /// Waits until `GET /health` answers (the first run installs the venv).
    async fn ready(&mut self, client: &Client) {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            if let Ok(ok) = client.health().send().await {
                assert_eq!(ok.into_inner(), "ok");
                return;
            }
            self.service.assert_running("the FastAPI app");
            assert!(Instant::now() < deadline, "the FastAPI app did not answer in time:\n{}", self.service.log());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn collect(stream: codegen_tests::fastapi_client::ByteStream) -> Vec<u8> {
    let mut stream = stream.into_inner();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

fn status_of<E>(e: &Error<E>) -> Option<u16> {
    e.status().map(|s| s.as_u16())
}

const API_KEY: &str = "coverage-api-key";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_against_the_fastapi_app() {
    let mut app = App::start();
    let anonymous = Client::new(&app.url);
    app.ready(&anonymous).await;

    // reset: 204
    let reset = anonymous.reset().send().await.unwrap();
    assert_eq!(reset.status().as_u16(), 204);

    // health: text/plain as a String
    let health = anonymous.health().send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert!(health.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(health.into_inner(), "ok");

    // login: the OAuth2 form through progenitor's form body
    let login_form: types::BodyLoginAuthTokenPost =
        serde_json::from_value(json!({"username": "alice", "password": "secret", "scope": ""})).unwrap();
    let token = anonymous.login().body(login_form).send().await.unwrap();
    assert_eq!(token.status().as_u16(), 200);
    assert_eq!(token.access_token, "token-alice-1");
    let wrong: types::BodyLoginAuthTokenPost =
        serde_json::from_value(json!({"username": "alice", "password": "nope", "scope": ""})).unwrap();
    match anonymous.login().body(wrong).send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(body.headers()["www-authenticate"], "Bearer");
        }
        other => panic!("a wrong password is the typed 401: {other:?}"),
    }

    // the token helper: the same form, posted to the flow's tokenUrl
    let helper = anonymous.password_token("bob", "hunter2", None).await.unwrap().into_inner();
    assert_eq!((helper.access_token.as_str(), helper.token_type.as_str()), ("token-bob-2", "bearer"));
    match anonymous.password_token("bob", "wrong", None).await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(body["detail"], "Incorrect username or password");
        }
        other => panic!("the helper's wrong password is a 401: {other:?}"),
    }
    let alice = anonymous.with_password_login("alice", "secret").await.unwrap();

    // OAuth2 password bearer
    let me = alice.users_read_user_me().send().await.unwrap();
    assert_eq!((me.id, me.username.as_str()), (1, "alice"));
    let bob = alice.users_read_user().user_id(2u64).send().await.unwrap();
    assert_eq!(bob.username.as_str(), "bob");
    match alice.users_read_user().user_id(99u64).send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 404);
            assert_eq!(serde_json::to_value(body.into_inner()).unwrap()["detail"], "User not found");
        }
        other => panic!("an unknown user is the typed 404: {other:?}"),
    }
    // wrong and missing credentials: the typed 401
    match anonymous.with_bearer("forged").users_read_user_me().send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(body.detail, "Invalid token");
        }
        other => panic!("a wrong token is the typed 401: {other:?}"),
    }
    let missing = anonymous.users_read_user_me().send().await.unwrap_err();
    assert_eq!(status_of(&missing), Some(401));

    // HTTP basic opens a session and sets its cookie
    match anonymous.with_basic("alice", "wrong").open_session().send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(body.headers()["www-authenticate"], "Basic");
        }
        other => panic!("wrong basic credentials are the typed 401: {other:?}"),
    }
    let opened = anonymous.with_basic("alice", "secret").open_session().send().await.unwrap();
    let set_cookie = opened.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set_cookie.starts_with(&format!("session={}", opened.session)), "{set_cookie}");
    assert_eq!(opened.username, "alice");
    let session = opened.into_inner().session;

    // API key in a cookie
    let in_session = anonymous.with_api_key_cookie(&session);
    let read = in_session.read_session().send().await.unwrap();
    assert_eq!((read.username.as_str(), read.session.as_str()), ("alice", session.as_str()));
    match anonymous.with_api_key_cookie("session-0-0").read_session().send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!((body.status().as_u16(), body.detail.as_str()), (401, "Invalid session"));
        }
        other => panic!("a wrong session is the typed 401: {other:?}"),
    }

    // API key in a header: item writes; per request and per client alike
    let writer = anonymous.with_credentials(Credentials::new().api_key(API_KEY));
    let item: types::ItemInput = serde_json::from_value(json!({
        "name": "Widget",
        "sku": "AB-123",
        "price": "12.50",
        "tax": 20,
        "tags": ["blue", "small"],
        "dimensions": [10.5, 4.0],
        "location": [3, "B2"],
        "stock": {"north": 4}
    }))
    .unwrap();
    match anonymous.with_api_key_header("wrong").create_item().body(item.clone()).send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(serde_json::to_value(body.into_inner()).unwrap()["detail"], "Invalid API key");
        }
        other => panic!("a wrong API key is the typed 401: {other:?}"),
    }
    let created = writer.create_item().body(item.clone()).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let item_id = created.id;
    assert_eq!(created.name.as_str(), "Widget");
    assert!(!created.has_image);

    let second: types::ItemInput =
        serde_json::from_value(json!({"name": "Gadget", "sku": "CD-7", "price": 3, "tags": ["blue"]})).unwrap();
    let gadget = anonymous.with_api_key_header(API_KEY).create_item().body(second).send().await.unwrap();

    // list, with query parameters
    let page = anonymous.list_items().tags(vec!["blue".to_string()]).limit(1u64).send().await.unwrap();
    assert_eq!((page.total, page.items.len()), (2, 1));
    assert_eq!(page.items[0].id, item_id);

    // validate: Item-Output with the computed field
    let validated = anonymous.validate_item().body(item.clone()).send().await.unwrap();
    assert_eq!(serde_json::to_value(&validated.price_with_tax).unwrap(), json!("15.00"));

    let read = anonymous.read_item().item_id(item_id).send().await.unwrap();
    assert_eq!(read.sku.as_str(), "AB-123");

    let mut replacement = serde_json::to_value(&item).unwrap();
    replacement["name"] = json!("Widget 2");
    let replacement: types::ItemInput = serde_json::from_value(replacement).unwrap();
    let replaced = writer.replace_item().item_id(item_id).body(replacement).send().await.unwrap();
    assert_eq!(replaced.name.as_str(), "Widget 2");
    assert!(replaced.updated_at.is_some());

    let patch: types::ItemUpdate = serde_json::from_value(json!({"status": "published", "tax": null})).unwrap();
    let patched = writer.update_item().item_id(item_id).body(patch).send().await.unwrap();
    assert_eq!(serde_json::to_value(&patched.status).unwrap(), json!("published"));
    assert_eq!(patched.tax, None);
    assert_eq!(patched.name.as_str(), "Widget 2");

    // text/plain request body
    let described =
        writer.set_item_description().item_id(item_id).body("a small blue widget".to_string()).send().await.unwrap();
    assert_eq!(described.words, 4);

    // 200 + 204 on one operation: no image yet
    let none = anonymous.read_item_image().item_id(item_id).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 204);
    assert!(matches!(none.into_inner(), types::ReadItemImageResponse::NoContent));

    // binary request body
    let image: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let info = writer.upload_item_image().item_id(item_id).body(image.clone()).send().await.unwrap();
    assert_eq!((info.item_id, info.size), (item_id, 3000));
    assert_eq!(info.sha256.to_string(), "8238f003ad1a7f56965542e097622333a1e90eb52301496c34fe39ab34c2e9e6");

    // … and now the image: 200 with the bytes, as a stream
    let found = anonymous.read_item_image().item_id(item_id).send().await.unwrap();
    assert_eq!(found.status().as_u16(), 200);
    assert_eq!(found.headers()["content-type"], "application/octet-stream");
    match found.into_inner() {
        types::ReadItemImageResponse::Ok(bytes) => assert_eq!(collect(bytes).await, image),
        other => panic!("the image is a 200: {other:?}"),
    }
    match anonymous.read_item_image().item_id(uuid::Uuid::nil()).send().await {
        Err(Error::ErrorResponse(body)) => assert_eq!(body.status().as_u16(), 404),
        other => panic!("an unknown item's image is the typed 404: {other:?}"),
    }

    // text/html as a String
    let card = anonymous.item_card().item_id(item_id).send().await.unwrap();
    assert!(card.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let card = card.into_inner();
    assert!(card.contains("<h1>Widget 2</h1>") && card.contains("a small blue widget"), "{card}");

    // notes: 201, list with a query, read, 204
    let note: types::NoteCreate = serde_json::from_value(json!({"text": "check stock", "pinned": true})).unwrap();
    let note = writer.create_note().item_id(item_id).body(note).send().await.unwrap();
    assert_eq!(note.status().as_u16(), 201);
    assert_eq!((note.id, note.item_id), (1, item_id));
    let pinned = anonymous.list_notes().item_id(item_id).pinned(true).send().await.unwrap();
    assert_eq!(pinned.len(), 1);
    let unpinned = anonymous.list_notes().item_id(item_id).pinned(false).send().await.unwrap();
    assert!(unpinned.is_empty());
    let one = anonymous.read_note().item_id(item_id).note_id(1u64).send().await.unwrap();
    assert_eq!(one.text.as_str(), "check stock");
    let deleted = writer.delete_note().item_id(item_id).note_id(1u64).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);

    // multipart: one file with form fields
    let upload = anonymous
        .upload_file()
        .file(FilePart::bytes(b"hello, world\n".to_vec()).file_name("hello.txt").content_type("text/plain"))
        .title("Greeting")
        .revision(2i64)
        .comment("first")
        .send()
        .await
        .unwrap();
    assert_eq!((upload.title.as_str(), upload.revision, upload.comment.as_deref()), ("Greeting", 2, Some("first")));
    assert_eq!(upload.file.filename.as_deref(), Some("hello.txt"));
    assert_eq!(upload.file.content_type.as_deref(), Some("text/plain"));
    assert_eq!(upload.file.size, 13);
    assert_eq!(upload.file.sha256, "853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020");
    // a required field left out is refused before sending
    let missing = anonymous.upload_file().title("x").revision(1i64).send().await.unwrap_err();
    assert!(matches!(missing, Error::InvalidRequest(ref m) if m.contains("file")), "{missing:?}");
    // FastAPI's 422 for a value it refuses
    match anonymous.upload_file().file(FilePart::bytes(vec![1u8])).title("t").revision(0i64).send().await {
        Err(Error::ErrorResponse(body)) => assert_eq!(body.status().as_u16(), 422),
        other => panic!("revision 0 is a 422: {other:?}"),
    }

    // multipart: several files (bytes and a stream)
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(b"streamed ".to_vec()), Ok(b"part".to_vec())];
    let batch = anonymous
        .upload_files()
        .files([
            FilePart::bytes(vec![7u8; 100]).file_name("a.bin"),
            FilePart::stream(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
                .file_name("b.txt")
                .content_type("text/plain"),
        ])
        .folder("docs/2024")
        .send()
        .await
        .unwrap();
    assert_eq!((batch.folder.as_str(), batch.total_size, batch.files.len()), ("docs/2024", 113, 2));
    assert_eq!(batch.files[0].filename.as_deref(), Some("a.bin"));
    assert_eq!(batch.files[0].content_type.as_deref(), Some("application/octet-stream"));
    assert_eq!((batch.files[1].filename.as_deref(), batch.files[1].size), (Some("b.txt"), 13));

    // API key in the query; text/csv as a String
    let csv = anonymous.with_api_key_query(API_KEY).export_items_csv().send().await.unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.into_inner();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,name,sku,price,status");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with(&format!("{item_id},\"Widget 2\",AB-123,")), "{csv}");
    match anonymous.with_api_key_query("wrong").export_items_csv().send().await {
        Err(Error::ErrorResponse(body)) => {
            assert_eq!((body.status().as_u16(), body.detail.as_str()), (401, "Invalid API key"));
        }
        other => panic!("a wrong query key is the typed 401: {other:?}"),
    }

    // pets: a discriminated union, 201 and 409
    let cat: types::PetsCreatePetBody = serde_json::from_value(json!({"kind": "cat", "name": "Tom"})).unwrap();
    let created = anonymous.pets_create_pet().body(cat.clone()).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(serde_json::to_value(created.into_inner()).unwrap()["lives"], 9);
    match anonymous.pets_create_pet().body(cat).send().await {
        Err(Error::ErrorResponse(body)) => assert_eq!(body.status().as_u16(), 409),
        other => panic!("a second Tom is a 409: {other:?}"),
    }
    let dog: types::PetsCreatePetBody =
        serde_json::from_value(json!({"kind": "dog", "name": "Rex", "breed": "collie"})).unwrap();
    anonymous.pets_create_pet().body(dog).send().await.unwrap();
    let dogs = anonymous.pets_list_pets().kind("dog").send().await.unwrap();
    assert_eq!(
        serde_json::to_value(dogs.into_inner()).unwrap(),
        json!([{"kind": "dog", "name": "Rex", "good_boy": true, "breed": "collie"}])
    );
    let tom = anonymous.pets_read_pet().name("Tom").send().await.unwrap();
    assert_eq!(serde_json::to_value(tom.into_inner()).unwrap()["kind"], "cat");

    // HTTP bearer: 202
    let job: types::JobRequest = serde_json::from_value(json!({"action": "reindex", "item_ids": [item_id]})).unwrap();
    let bearer = anonymous.with_bearer(token.access_token.clone());
    let accepted = bearer.submit_job().body(job.clone()).send().await.unwrap();
    assert_eq!(accepted.status().as_u16(), 202);
    assert_eq!((accepted.id, accepted.result.clone()), (1, None));
    match anonymous.with_bearer("forged").submit_job().body(job).send().await {
        Err(Error::ErrorResponse(body)) => assert_eq!(body.status().as_u16(), 401),
        other => panic!("a wrong bearer token is the typed 401: {other:?}"),
    }
    let job = bearer.read_job().job_id(std::num::NonZeroU64::MIN).send().await.unwrap();
    assert_eq!(serde_json::to_value(&job.state).unwrap(), json!("queued"));

    // text/event-stream as a byte stream
    let events = anonymous.job_events().job_id(std::num::NonZeroU64::MIN).send().await.unwrap();
    assert!(events.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let events = String::from_utf8(collect(events.into_inner()).await).unwrap();
    assert_eq!(events.matches("event: progress").count(), 3, "{events}");
    assert!(events.contains("\"state\": \"done\", \"progress\": 100"), "{events}");

    // headers and cookies
    let echoed = anonymous
        .request_info()
        .x_request_id("req-1")
        .accept_language("de")
        .x_retry(3i64)
        .tracking_id("track-9")
        .theme(types::Theme::Dark)
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(echoed.into_inner()).unwrap(),
        json!({"request_id": "req-1", "accept_language": "de", "retry": 3, "tracking_id": "track-9", "theme": "dark"})
    );
    let minimal = anonymous.request_info().x_request_id("req-2").tracking_id("t").send().await.unwrap();
    assert_eq!((minimal.retry, minimal.theme.is_none(), minimal.accept_language.is_none()), (0, true, true));
    // with a session cookie from the credentials too: one Cookie header
    let both = in_session.request_info().x_request_id("req-3").tracking_id("t3").send().await.unwrap();
    assert_eq!(both.tracking_id, "t3");
    match anonymous.request_info().x_request_id("req-4").send().await {
        Err(e) => assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}"),
        Ok(v) => panic!("a missing required cookie is refused before sending: {v:?}"),
    }

    // trees
    let tree: types::NodeInput = serde_json::from_value(json!({
        "name": "root", "value": 1, "children": [{"name": "a", "value": 2, "children": [{"name": "a1"}]}, {"name": "b", "value": 4}]
    }))
    .unwrap();
    let summary = anonymous.summarize_tree().body(tree).send().await.unwrap();
    assert_eq!((summary.nodes, summary.depth, summary.total), (4, 3, 7));
    assert_eq!(summary.leaves, vec!["a1".to_string(), "b".to_string()]);
    let sample = anonymous.sample_tree().send().await.unwrap();
    assert_eq!((sample.name.as_str(), sample.children.len()), ("root", 2));

    // compound segments: a variable beside text, two in one segment
    let tile = anonymous.read_tile().z(3i64).x(4i64).y(5i64).fmt(types::Fmt::Png).send().await.unwrap();
    assert_eq!((tile.z, tile.x, tile.y, tile.format.to_string().as_str()), (3, 4, 5, "png"));
    let point = anonymous.read_point().lon(1.5).lat(-2.25).send().await.unwrap();
    assert_eq!((point.lon, point.lat), (1.5, -2.25));
    match anonymous.read_tile().z(99i64).x(4i64).y(5i64).fmt(types::Fmt::Jpg).send().await {
        Err(Error::ErrorResponse(body)) => assert_eq!(body.status().as_u16(), 422),
        other => panic!("z past its bound is FastAPI's typed 422: {other:?}"),
    }

    // deprecated listing
    // the service marks it deprecated, and so does the generated method
    #[allow(deprecated)]
    let legacy = anonymous.list_items_legacy().limit(1u64).send().await.unwrap();
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0].title, "Widget 2");

    // deletes: 204, then 404
    let gone = writer.delete_item().item_id(gadget.id).send().await.unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    match anonymous.read_item().item_id(gadget.id).send().await {
        Err(Error::ErrorResponse(body)) => assert_eq!(body.status().as_u16(), 404),
        other => panic!("a deleted item is the typed 404: {other:?}"),
    }

    // close the session: 204, and the cookie no longer works
    let closed = in_session.close_session().send().await.unwrap();
    assert_eq!(closed.status().as_u16(), 204);
    let after = in_session.read_session().send().await.unwrap_err();
    assert_eq!(status_of(&after), Some(401));

    let reset = anonymous.reset().send().await.unwrap();
    assert_eq!(reset.status().as_u16(), 204);
    drop(app);
}
