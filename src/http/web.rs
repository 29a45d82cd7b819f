//! The web apps the binary serves, built by Vite into `web/dist` (committed):
//! the staff console under `/console/` and the reporter's app at `/`.
//!
//! Release builds embed the bundle (`build.rs` makes cargo re-embed it when
//! it changes); debug builds read it from `web/dist` at run time, so a
//! rebuilt bundle shows without recompiling. Either way nothing is loaded
//! from outside the service: the Content-Security-Policy allows this origin,
//! plus the photo store's and a configured map tile service's for images.
//!
//! Which file answers:
//! - `/assets/…`: hashed files, cached for a year (`immutable`);
//! - `/console/…` without a dot in its last segment: the console's
//!   `index.html`, so its own routes survive a reload;
//! - a page navigation (`Accept: text/html`) to any other path without a
//!   dot that no API route took, outside `/v1/`: the reporter's
//!   `index.html`; API clients keep their JSON 404;
//! - other files at the bundle's root (`/sw.js`, `/manifest.webmanifest`,
//!   icons) as they are.
//!
//! Pages are `no-cache` (a new release is seen at once) and may not be
//! framed.

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/dist/"]
struct Bundle;

/// The console's page, relative to the bundle.
const CONSOLE_PAGE: &str = "console/index.html";
/// The reporter's app's page.
const REPORTER_PAGE: &str = "index.html";

/// The headers every page carries; built once from the settings.
#[derive(Clone, Debug)]
pub struct PageHeaders {
    csp: HeaderValue,
}

impl PageHeaders {
    /// `image_origins`: where photos (presigned S3 URLs) and map tiles come
    /// from, besides this service.
    pub fn new(image_origins: &[String]) -> Self {
        let mut img = String::from("'self' data: blob:");
        for origin in image_origins {
            img.push(' ');
            img.push_str(origin);
        }
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src {img}; \
             connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        Self {
            csp: HeaderValue::from_str(&csp).expect("origins are valid header text"),
        }
    }
}

/// What a path of the web apps resolves to.
#[derive(Debug, PartialEq, Eq)]
enum Asset<'a> {
    /// A file of the bundle, by its path in it.
    File(&'a str),
    /// A page: an app's `index.html`.
    Page(&'static str),
}

/// The console's share of the address space: `/console` and below.
fn console_asset(path: &str) -> Option<Asset<'_>> {
    let rest = path.strip_prefix("/console")?;
    if rest.is_empty() {
        return None; // redirected to `/console/` by the route
    }
    let rest = rest.strip_prefix('/')?;
    if has_extension(rest) {
        Some(Asset::File(path.trim_start_matches('/')))
    } else {
        Some(Asset::Page(CONSOLE_PAGE))
    }
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// What the answer depends on, taken from the request before it is handed
/// on (the fallback answers after the routes have consumed it).
#[derive(Debug)]
struct Ask {
    method: Method,
    path: String,
    accepts_html: bool,
    if_none_match: Option<String>,
}

impl Ask {
    fn of(req: &Request) -> Self {
        let headers = req.headers();
        Self {
            method: req.method().clone(),
            path: req.original_uri().path().to_owned(),
            accepts_html: headers
                .get_all(header::ACCEPT)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.contains("text/html")),
            if_none_match: headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }

    fn reads(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD)
    }
}

/// Serves `/console/…` and `/assets/…`.
fn serve(ask: &Ask, headers: &PageHeaders) -> poem::Result<Response> {
    let asset = if ask.path.starts_with("/assets/") {
        Asset::File(ask.path.trim_start_matches('/'))
    } else {
        console_asset(&ask.path).ok_or(StatusCode::NOT_FOUND)?
    };
    respond(ask, asset, headers)
}

/// For a request no route answered: the reporter's page or a root file of
/// the bundle, when the request is one a browser makes for them.
fn fallback(ask: &Ask, headers: &PageHeaders) -> Option<Response> {
    if !ask.reads() || ask.path.starts_with("/v1/") || ask.path == "/v1" {
        return None;
    }
    let asset = if has_extension(&ask.path) {
        // Only the bundle's root files; nothing below another prefix.
        let name = ask.path.strip_prefix('/')?;
        if name.contains('/') || Bundle::get(name).is_none() {
            return None;
        }
        Asset::File(name)
    } else if ask.accepts_html {
        Asset::Page(REPORTER_PAGE)
    } else {
        return None;
    };
    respond(ask, asset, headers).ok()
}

fn respond(ask: &Ask, asset: Asset<'_>, headers: &PageHeaders) -> poem::Result<Response> {
    if !ask.reads() {
        return Err(StatusCode::METHOD_NOT_ALLOWED.into());
    }
    let (name, page) = match asset {
        Asset::File(name) => (name, false),
        Asset::Page(name) => (name, true),
    };
    let file = Bundle::get(name).ok_or(StatusCode::NOT_FOUND)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut builder = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, etag.as_str())
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if page {
        builder = builder
            .header(header::CONTENT_SECURITY_POLICY, headers.csp.clone())
            .header(header::X_FRAME_OPTIONS, "DENY")
            // Receipt codes may sit in a page's address: send it nowhere.
            .header(header::REFERRER_POLICY, "no-referrer");
    }
    let fresh = ask
        .if_none_match
        .as_deref()
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if fresh {
        return Ok(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    let builder = builder.header(header::CONTENT_TYPE, content_type(name));
    if ask.method == Method::HEAD {
        return Ok(builder.finish());
    }
    Ok(builder.body(file.data.into_owned()))
}

/// The types the bundle holds; text is UTF-8 (a page without a charset
/// shows Chinese as mojibake).
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `/console`, `/console/…` and `/assets/…`.
pub struct ConsoleEndpoint {
    pub headers: PageHeaders,
}

impl Endpoint for ConsoleEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let ask = Ask::of(&req);
        if ask.path == "/console" {
            return Ok(Response::builder()
                .status(StatusCode::PERMANENT_REDIRECT)
                .header(header::LOCATION, "/console/")
                .finish());
        }
        serve(&ask, &self.headers)
    }
}

/// Gives a page navigation that no route answered the reporter's app.
pub struct ReporterFallback {
    pub headers: PageHeaders,
}

impl<E: Endpoint> Middleware<E> for ReporterFallback {
    type Output = ReporterFallbackEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ReporterFallbackEndpoint {
            inner,
            headers: self.headers.clone(),
        }
    }
}

pub struct ReporterFallbackEndpoint<E> {
    inner: E,
    headers: PageHeaders,
}

impl<E: Endpoint> Endpoint for ReporterFallbackEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let ask = Ask::of(&req);
        match self.inner.call(req).await {
            Ok(out) => Ok(out.into_response()),
            Err(e) if e.status() == StatusCode::NOT_FOUND => fallback(&ask, &self.headers).ok_or(e),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_paths_resolve_to_files_or_the_page() {
        assert_eq!(console_asset("/console"), None);
        assert_eq!(console_asset("/console/"), Some(Asset::Page(CONSOLE_PAGE)));
        assert_eq!(
            console_asset("/console/queue/abc"),
            Some(Asset::Page(CONSOLE_PAGE))
        );
        assert_eq!(
            console_asset("/console/favicon.svg"),
            Some(Asset::File("console/favicon.svg"))
        );
        assert_eq!(console_asset("/consoles"), None);
    }

    #[test]
    fn the_policy_allows_no_inline_script_and_names_image_origins() {
        let headers = PageHeaders::new(&["https://s3.example.com".into()]);
        let csp = headers.csp.to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("img-src 'self' data: blob: https://s3.example.com;"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
