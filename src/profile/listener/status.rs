//! What the WebSocket listener is doing, for the support packet and `/metrics`: whether this
//! process has the WebSocket open and when it last heard an event. One handle per running app (the
//! listener writes, the support packet reads); the gauges are the process's.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListenerState {
    pub connected: bool,
    pub last_event_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct ListenerStatus(Arc<Mutex<ListenerState>>);

impl ListenerStatus {
    pub fn get(&self) -> ListenerState {
        self.0.lock().map(|s| *s).unwrap_or_default()
    }

    pub fn connected(&self, connected: bool) {
        if let Ok(mut s) = self.0.lock() {
            s.connected = connected;
        }
        crate::metrics::websocket_connected(connected);
    }

    pub fn event(&self, at: DateTime<Utc>) {
        if let Ok(mut s) = self.0.lock() {
            s.last_event_at = Some(at);
        }
        crate::metrics::websocket_event(at);
    }
}
