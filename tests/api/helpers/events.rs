//! Server-sent event streams (the moderators' queue, a unit's inbox) as a
//! test reads them: one frame at a time, with a deadline.

use std::time::Duration;

use serde_json::Value;

use super::TestApp;

/// One open stream.
pub struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// One event: its `id`, `event` and parsed `data`.
#[derive(Debug)]
pub struct Frame {
    pub id: Option<String>,
    pub event: String,
    pub data: Value,
}

impl Events {
    pub async fn open(app: &TestApp, path: &str, token: &str, last: Option<&str>) -> Self {
        let mut request = app.client.get(app.url(path)).bearer_auth(token);
        if let Some(last) = last {
            request = request.header("Last-Event-ID", last);
        }
        let response = request.send().await.expect("the stream opens");
        assert_eq!(response.status(), 200, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, skipping keep-alive comments; `None` when nothing
    /// came within `limit`.
    pub async fn next(&mut self, limit: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                let mut frame = Frame {
                    id: None,
                    event: "message".into(),
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        frame.id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        frame.event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a comment: the stream is alive
                }
                frame.data = serde_json::from_str(&data).expect("event data is JSON");
                return Some(frame);
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?;
            let chunk = chunk.expect("the stream goes on")?;
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }

    /// The first event `find` accepts, within `limit`.
    pub async fn until(&mut self, limit: Duration, find: impl Fn(&Frame) -> bool) -> Frame {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self.next(left).await.expect("the event came in time");
            if find(&frame) {
                return frame;
            }
        }
    }
}
