//! List-change notifications for `subscriptions/listen` streams.

use tokio::sync::broadcast;

/// A list whose contents changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// `tools/list` (`notifications/tools/list_changed`).
    Tools,
    /// `prompts/list` (`notifications/prompts/list_changed`).
    Prompts,
    /// `resources/list` (`notifications/resources/list_changed`).
    Resources,
}

impl ListKind {
    pub(crate) fn method(self) -> &'static str {
        match self {
            Self::Tools => "notifications/tools/list_changed",
            Self::Prompts => "notifications/prompts/list_changed",
            Self::Resources => "notifications/resources/list_changed",
        }
    }
}

/// A change a listen stream may have asked to hear about.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    List(ListKind),
    ResourceUpdated(std::sync::Arc<str>),
}

/// The in-process fan-out of changes to open listen streams.
#[derive(Clone, Debug)]
pub(crate) struct ListChanges {
    tx: broadcast::Sender<Change>,
}

impl Default for ListChanges {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(64).0,
        }
    }
}

impl ListChanges {
    pub(crate) fn send(&self, change: Change) {
        // No listener is not an error: nobody is subscribed right now.
        let _ = self.tx.send(change);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }
}
