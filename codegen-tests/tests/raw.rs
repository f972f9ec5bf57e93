//! Text and binary request bodies, served for real: two operations of the
//! FastAPI app's export (`xtask/tests/fixtures/raw.json`: a `text/plain`
//! description and an `application/octet-stream` image, both read from
//! `Request` in FastAPI). The generated client sends a `String` and bytes;
//! the generated server takes them as a `dropshot::UntypedBody`.

use codegen_tests::raw_client;
use codegen_tests::raw_server::{self as api, RawApi, types};
use dropshot::{HttpError, HttpResponseOk, Path, RequestContext, UntypedBody};

enum Raw {}

impl RawApi for Raw {
    type Context = ();

    async fn set_item_description(
        _: RequestContext<()>,
        path: Path<api::SetItemDescriptionPath>,
        body: UntypedBody,
    ) -> Result<HttpResponseOk<types::DescriptionUpdate>, HttpError> {
        let text = body.as_str()?.to_string();
        let words = text.split_whitespace().count() as i64;
        Ok(HttpResponseOk(types::DescriptionUpdate { description: text, item_id: path.into_inner().item_id, words }))
    }

    async fn upload_item_image(
        _: RequestContext<()>,
        path: Path<api::UploadItemImagePath>,
        body: UntypedBody,
    ) -> Result<HttpResponseOk<types::ImageInfo>, HttpError> {
        let bytes = body.as_bytes();
        // a stand-in digest: the bytes' sum, as 64 hex digits (the schema's shape)
        let sum: u64 = bytes.iter().map(|b| u64::from(*b)).sum();
        Ok(HttpResponseOk(types::ImageInfo {
            item_id: path.into_inner().item_id,
            sha256: format!("{sum:064x}").parse().map_err(|e| HttpError::for_internal_error(format!("{e}")))?,
            size: bytes.len() as u64,
        }))
    }
}

#[tokio::test]
async fn the_client_sends_text_and_bytes_the_server_reads() {
    let server =
        codegen_tests::serve(api::raw_api_mod::api_description::<Raw>().unwrap(), api::version_policy(), "raw");
    let client = raw_client::Client::new(&format!("http://{}", server.local_addr()));
    let item = uuid::Uuid::from_u128(7);

    let updated =
        client.set_item_description().item_id(item).body("a red bolt, size M8").send().await.unwrap().into_inner();
    assert_eq!((updated.item_id, updated.description.as_str(), updated.words), (item, "a red bolt, size M8", 5));

    let image: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let info = client.upload_item_image().item_id(item).body(image.clone()).send().await.unwrap().into_inner();
    let sum: u64 = image.iter().map(|b| u64::from(*b)).sum();
    assert_eq!((info.size, info.sha256.to_string()), (4096, format!("{sum:064x}")));
    server.close().await.unwrap();
}
