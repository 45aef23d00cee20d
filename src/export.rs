//! Saving a streamed export: reads the response body chunk by chunk (counting lines as events),
//! then hands the whole file to the browser as a download. Written with web-sys because gloo-net
//! exposes the body only as a raw `ReadableStream`.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A finished export: how many events the file holds, and the id of its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Events in the file.
    pub events: usize,
    /// The BFF's id for this export (`x-gatehouse-export-id`), which names its manifest.
    pub export_id: Option<String>,
}

/// The next chunk of a streamed body, `None` at its end, `Err` if it broke off (or was
/// aborted). Shared by the export and the key-hygiene report's NDJSON.
pub(crate) async fn next_chunk(
    reader: &web_sys::ReadableStreamDefaultReader,
) -> Result<Option<Uint8Array>, ()> {
    let result = JsFuture::from(reader.read()).await.map_err(drop)?;
    if Reflect::get(&result, &"done".into())
        .ok()
        .and_then(|d| d.as_bool())
        == Some(true)
    {
        return Ok(None);
    }
    Reflect::get(&result, &"value".into())
        .map(|v| Some(v.unchecked_into()))
        .map_err(drop)
}

/// Downloads `url` as `audit-log.<format>`, calling `progress` with the events received so far.
pub async fn download(
    url: &str,
    format: &str,
    signal: Option<&web_sys::AbortSignal>,
    progress: impl Fn(usize),
) -> Result<Saved, String> {
    let response = gloo_net::http::Request::get(url)
        .abort_signal(signal)
        .send()
        .await
        .map_err(|e| {
            if signal.is_some_and(web_sys::AbortSignal::aborted) {
                "cancelled".to_owned()
            } else {
                e.to_string()
            }
        })?;
    if !response.ok() {
        let status = response.status();
        let message = response
            .json::<admin_api::ErrorResponse>()
            .await
            .map(|b| b.error.message)
            .unwrap_or_else(|_| format!("the server answered {status}"));
        return Err(message);
    }
    let export_id = response.headers().get("x-gatehouse-export-id");
    let body = response.body().ok_or("the answer had no body")?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = Array::new();
    let mut lines = 0_usize;
    while let Some(value) = next_chunk(&reader).await.map_err(|()| {
        if signal.is_some_and(web_sys::AbortSignal::aborted) {
            "cancelled".to_owned()
        } else {
            "the download broke off".to_owned()
        }
    })? {
        lines += value.to_vec().iter().filter(|b| **b == b'\n').count();
        chunks.push(&value);
        progress(events(format, lines));
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(if format == "csv" {
        "text/csv"
    } else {
        "application/x-ndjson"
    });
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&chunks, &options)
        .map_err(|_| "could not assemble the file")?;
    let href =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "could not save the file")?;
    let anchor: web_sys::HtmlAnchorElement = leptos::prelude::document()
        .create_element("a")
        .map_err(|_| "could not save the file")?
        .unchecked_into();
    anchor.set_href(&href);
    anchor.set_download(&format!("audit-log.{format}"));
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok(Saved {
        events: events(format, lines),
        export_id,
    })
}

/// Events in `lines` lines: CSV has a header row; a stopped export's last line is a note.
fn events(format: &str, lines: usize) -> usize {
    if format == "csv" {
        lines.saturating_sub(1)
    } else {
        lines
    }
}
