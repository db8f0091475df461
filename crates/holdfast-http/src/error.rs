//! The one error type of the HTTP crate, and how it looks on the wire.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use holdfast_core::CoreError;
use holdfast_net::NetError;
use holdfast_store::StoreError;
use holdfast_sync::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Store(StoreError),
    /// The campaign is locked: only the lock screen's routes answer.
    #[error("the campaign is locked; give its passphrase on this computer to unlock it")]
    Locked,
    /// A failure of the sync layer that is not the store's; the store's own
    /// failures are unwrapped into `Store` so they keep their status.
    #[error(transparent)]
    Sync(SyncError),
    /// No hub or peer answered a "Sync now": the network is down, or no hub
    /// of this campaign is on it. Nothing was exchanged.
    #[error("no hub reachable: {}", unreachable_reason(.0))]
    Unreachable(NetError),
    /// A hub answered, but the sync was refused or broke off: this device
    /// was revoked, say, or the wifi dropped halfway.
    #[error("{0}")]
    SyncFailed(NetError),
    #[error("the request body was not understood: {0}")]
    Body(String),
    #[error("the query was not understood: {0}")]
    Query(String),
    #[error("the address was not understood: {0}")]
    Path(String),
    #[error("`{0}` is not a date of the form YYYY-MM-DD")]
    Date(String),
    #[error("there is no API at {0}")]
    NoSuchRoute(String),
    #[error("requests addressed to `{0}` are refused; open Holdfast at 127.0.0.1 or localhost")]
    ForeignHost(String),
    #[error(
        "locking, unlocking, wiping and erasing members are done only on the computer that \
         holds the campaign"
    )]
    ThisComputerOnly,
    #[error(
        "this browser is not paired yet, so it can only read; ask a steward for an invite \
         and enter its code under \"Pair this browser\""
    )]
    BrowserNotPaired,
    #[error(
        "this hub does not know this browser (its cookies were cleared, or it opened the link \
         long ago); open the hub's link again, then pair it"
    )]
    BrowserNotAdmitted,
    #[error("a steward turned this browser away; ask a steward at the hub if that is a mistake")]
    BrowserTurnedAway,
    #[error(
        "this is the hub's own computer; browsers are paired on the other computers at the hall"
    )]
    NotABrowser,
    #[error(
        "refused: the request came from another site's page, or was not sent as JSON; \
         use Holdfast's own screens"
    )]
    CrossSite,
    #[error("the campaign is unavailable after an earlier failure; restart Holdfast")]
    Poisoned,
    #[error("the request stopped before it finished: {0}")]
    Interrupted(String),
}

impl ApiError {
    /// Rejected input is the caller's to fix (400), a missing record is 404,
    /// an action the one acting may not take is 403, and anything else is
    /// ours (500).
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Store(store) => match store {
                StoreError::Rejected(_)
                | StoreError::RosterLine { .. }
                | StoreError::ForeignDocument(_) => StatusCode::BAD_REQUEST,
                StoreError::Core(core) => match **core {
                    CoreError::Invalid { .. } | CoreError::UnknownDocumentId(_) => {
                        StatusCode::BAD_REQUEST
                    }
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                },
                StoreError::NotFound { .. } | StoreError::NoCampaign(_) => StatusCode::NOT_FOUND,
                StoreError::WrongPassphrase => StatusCode::UNAUTHORIZED,
                StoreError::NotAllowed(_) | StoreError::InviteRefused(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Sync(sync) => match sync {
                SyncError::BadInvite(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            // The hub, not this server, is missing: 503 says the service
            // this request needs is out of reach for now and may return.
            ApiError::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
            // A hub answered with a refusal or broke off: the failure is
            // upstream of this server.
            ApiError::SyncFailed(_) => StatusCode::BAD_GATEWAY,
            ApiError::Body(_) | ApiError::Query(_) | ApiError::Path(_) | ApiError::Date(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::NoSuchRoute(_) => StatusCode::NOT_FOUND,
            ApiError::ForeignHost(_)
            | ApiError::ThisComputerOnly
            | ApiError::BrowserNotPaired
            | ApiError::BrowserNotAdmitted
            | ApiError::BrowserTurnedAway
            | ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::NotABrowser => StatusCode::BAD_REQUEST,
            ApiError::Locked => StatusCode::LOCKED,
            ApiError::Poisoned | ApiError::Interrupted(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Locked => ApiError::Locked,
            other => ApiError::Store(other),
        }
    }
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Store(store) => store.into(),
            other => ApiError::Sync(other),
        }
    }
}

/// Why no hub was reached. The network edge's own words for "nothing found"
/// ask for an address, which fits the command line; the screen has no field
/// for one, so it gets words of its own.
fn unreachable_reason(error: &NetError) -> String {
    match error {
        NetError::NoHub => "no hub of this campaign answered on this network".to_string(),
        other => other.to_string(),
    }
}

impl From<NetError> for ApiError {
    fn from(error: NetError) -> Self {
        match error {
            // The store's and the sync layer's own failures keep the status
            // they have everywhere else.
            NetError::Store(store) => store.into(),
            NetError::Setup(sync) => sync.into(),
            // Refused or timed-out connections and discovery that found
            // nothing or could not run: no hub was reached at all.
            NetError::Connect { .. }
            | NetError::Timeout { .. }
            | NetError::NoHub
            | NetError::Discovery(_) => ApiError::Unreachable(error),
            // A hub was reached, and then refused or dropped the sync.
            NetError::Sync { .. }
            | NetError::Io { .. }
            | NetError::Closed { .. }
            | NetError::InviteNotAccepted { .. } => ApiError::SyncFailed(error),
            NetError::TaskFailed | NetError::Listen { .. } => {
                ApiError::Interrupted(error.to_string())
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::Body(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::Query(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::Path(rejection.body_text())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
